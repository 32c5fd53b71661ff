raise RuntimeError("configuration file missing")
