// NetworkTraining: float training of the reference ConvNets.
