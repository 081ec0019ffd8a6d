"""The legislature's bulk download (PUBINFO): file format, CAML bill XML, snapshot reader."""
