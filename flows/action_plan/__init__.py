"""The joint action plan: drafting candidates from findings, editing, approval, tracking."""
