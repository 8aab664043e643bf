"""The coordinator's notice (通报): figures for a period, drafted as .docx, PDF, .xlsx or JSON.

``figures`` holds the numbers, ``content`` the words as blocks, ``layout`` the official layout
(GB/T 9704-2012) both document writers follow (``docx_file``, ``pdf_file``), ``tables`` the
figures as data, ``settings`` the coordinator's editable text (report.yaml).
"""
