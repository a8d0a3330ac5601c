from gru_lab.ui.live.join import page

page()
