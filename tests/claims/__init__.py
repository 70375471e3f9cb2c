"""Claims the paper makes, as tests at the quick scale (see conftest.py)."""
