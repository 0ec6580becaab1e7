namespace CnnLab.Data;

/// <summary>How a known dataset's files are laid out.</summary>
public enum DatasetFormat
{
    /// <summary>MNIST's four IDX files: train/t10k images and labels, gzip or raw.</summary>
    Idx,

    /// <summary>CIFAR-10's binary version: data_batch_1..5.bin and test_batch.bin.</summary>
    Cifar10Binary,
}
