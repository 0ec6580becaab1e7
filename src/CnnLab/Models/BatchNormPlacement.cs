namespace CnnLab.Models;

/// <summary>Where a VGG block puts BatchNormalization relative to the activation.</summary>
public enum BatchNormPlacement
{
    /// <summary>No BatchNormalization.</summary>
    None,

    /// <summary>Conv2D / Dense, BatchNormalization, activation (the notebook's "BN antes").</summary>
    Before,

    /// <summary>Conv2D / Dense, activation, BatchNormalization (the notebook's "BN después").</summary>
    After,
}
