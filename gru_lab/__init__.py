"""GRU Lab's app layer: inputs, the control table, computations, figure builders and text, all pure;
`gru_lab.ui` holds everything that imports Streamlit."""
