// PrecSearchCLI: the command library behind the `precsearch` executable.
