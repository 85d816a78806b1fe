# Makes the checkout importable for pytest (the native module is built in place).
