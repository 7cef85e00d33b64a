// Tests of AudioFeatures.
