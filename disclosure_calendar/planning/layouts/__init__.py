"""Layout recognisers: each reads one way plans set out their tasks, whatever the format.

``headings`` (一、 (一) 1. （1）), ``front`` (title, issuer, date, the preamble's duties),
``numbered`` (numbered items and lines of units after them), ``prose`` (stretches of text
each closed by its unit bracket), ``table`` (a 任务分解表); ``builder`` numbers what they find.
"""
