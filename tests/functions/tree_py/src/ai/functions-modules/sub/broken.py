raise RuntimeError("module init failed")
