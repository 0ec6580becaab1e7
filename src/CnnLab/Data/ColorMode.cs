namespace CnnLab.Data;

/// <summary>Channels images are converted to when decoded, as Keras' color_mode.</summary>
public enum ColorMode
{
    /// <summary>Three channels, red, green, blue (Keras' default).</summary>
    Rgb,

    /// <summary>One channel, luminance 0.299 R + 0.587 G + 0.114 B.</summary>
    Grayscale,
}
