"""One reader per format, each returning the same neutral Document (document.py).

``read_document(path)`` picks the reader by the file's first bytes, then by its name.
Every text a reader returns has been through ``clean_text`` (simplified characters, no
pinyin annotations, full-width punctuation) and lines of site furniture are gone.
"""
