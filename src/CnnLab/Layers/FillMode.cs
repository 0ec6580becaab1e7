namespace CnnLab.Layers;

/// <summary>How geometric augmentations fill pixels that come from outside the image (Keras' fill_mode).</summary>
public enum FillMode
{
    /// <summary>Mirror about the image edge: (d c b a | a b c d | d c b a). Keras' default.</summary>
    Reflect,

    /// <summary>A constant value (<c>fillValue</c>).</summary>
    Constant,

    /// <summary>The nearest edge pixel: (a a a a | a b c d | d d d d).</summary>
    Nearest,
}

/// <summary>Keras' names of the fill modes.</summary>
public static class FillModes
{
    /// <summary>"reflect", "constant" or "nearest".</summary>
    public static string Name(FillMode fill) => fill switch
    {
        FillMode.Constant => "constant",
        FillMode.Nearest => "nearest",
        _ => "reflect",
    };
}
