// PrecSearchIO: model files, data sets, JSON documents and provenance (the only library module using Foundation).
