"""The front of the front end: the grammar (`grammar`), the parser to a syntax tree with spans (`parse`, `ast`),
and reading a program's files, the prelude and the includes (`load`)."""
