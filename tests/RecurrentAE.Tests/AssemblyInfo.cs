// Test classes run one after another. With classes in parallel (several ILGPU CPU accelerators at once), ILGPU LSTM and
// head tests failed now and then (a cell of 0, a loss off) and passed when rerun alone with the same seed; in serial
// runs they have not. The whole suite takes about 30 s this way.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
