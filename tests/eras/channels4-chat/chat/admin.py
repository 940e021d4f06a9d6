# No models to register yet.
