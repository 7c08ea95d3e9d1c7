"""Date and number formats for the English interface in other regions (FORMAT_MODULE_PATH).

An organization's "dates and numbers" setting makes the English interface run as
`en-dk` or `en-gb` (employees/locale.py): the words stay English (no catalogue for
these, so English is what is shown), the formats come from here.
"""
