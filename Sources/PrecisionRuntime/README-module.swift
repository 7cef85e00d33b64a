// PrecisionRuntime module: see Package.swift for its role. (Source files are added by the issue that builds it.)
