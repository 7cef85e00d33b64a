// Tests of PrecisionRuntime.
