"""Testing aids stewards can reuse: an exact reference evaluator, Hypothesis strategies that build
balanced facts by construction, and fault injectors (issue 5)."""
