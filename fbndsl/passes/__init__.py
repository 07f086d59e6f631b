"""The stages after parsing, one file each: `resolve` (syntax -> `Program`), `expand` (with `elab_ops`,
`elab_cells`, `builder`, `expr`: `Program` -> IR), the IR -> IR passes `InferShapes`, `Validate` and `InsertBN`
(`base.Pass`), and `cost` (IR -> `CostModel`). `pipeline.compile` runs them in order."""
