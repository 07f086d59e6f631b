"""The analytic cost model: MACs and parameters of any architecture as compiled formulas (`model`), and the
exact cheapest and most expensive architecture (`optimize`). The `cost` pass builds the model from the IR."""
