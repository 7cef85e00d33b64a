// The precsearch command-line tool (see PrecSearchCLI).
