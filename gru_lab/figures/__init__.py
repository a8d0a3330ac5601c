"""Figure builders: pure functions from records and results to `plotly.graph_objects.Figure`."""
