"""Targets and browser settings shared by the classroom benchmark."""
TARGET_N = 30
TARGET_P95_S = 2.0
TARGET_MEM_MB = 50.0
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
PRESET_TITLES = ("Far-apart clue", "Verdict last", "Verdict first", "Weekly sales", "Random noise")  # not "Your own"
