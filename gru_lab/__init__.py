"""GRU Lab's app layer: inputs, settings, figure builders and text. Only `cached`, `sidebar` and
`urlstate` import Streamlit; everything else is pure and testable without it."""
