namespace CnnLab.Core;

/// <summary>Keras' padding modes for convolution and pooling.</summary>
public enum Padding
{
    /// <summary>No padding: the window stays inside the input; the output shrinks.</summary>
    Valid,

    /// <summary>Pad so the output is ceil(input / stride); any odd extra row
    /// and column go to the bottom and right, as in TensorFlow.</summary>
    Same,
}

/// <summary>Parses Keras' padding strings and computes TensorFlow's padding amounts.</summary>
public static class PaddingRules
{
    /// <summary>Parses "valid" or "same" (case-insensitive).</summary>
    public static Padding Parse(string value, string argument = "padding") => value?.ToLowerInvariant() switch
    {
        "valid" => Padding.Valid,
        "same" => Padding.Same,
        _ => throw new ArgumentException(
            $"Invalid value for argument `{argument}`. Expected one of {{\"valid\", \"same\"}}. Received: {argument}={value}", argument),
    };

    /// <summary>Keras' name of a padding mode.</summary>
    public static string ToKeras(this Padding padding) => padding == Padding.Same ? "same" : "valid";

    /// <summary>Output length along one axis, or a value below 1 when the window does not fit.</summary>
    public static int OutputLength(int input, int window, int stride, Padding padding) => padding == Padding.Same
        ? (input + stride - 1) / stride
        : input < window ? 0 : (input - window) / stride + 1;

    /// <summary>
    /// Output (height, width) of a sliding window (a kernel or a pool) over an image, or Keras-worded error when the
    /// window does not fit. <paramref name="argument"/> is kernel_size or pool_size, <paramref name="noun"/> kernel or pool.
    /// </summary>
    internal static (int Height, int Width) WindowOutput(Shape input, Size2 window, Size2 strides, Padding padding, string layer,
        string argument, string noun)
    {
        var height = OutputLength(input.Height, window.Height, strides.Height, padding);
        var width = OutputLength(input.Width, window.Width, strides.Width, padding);
        if (height < 1 || width < 1)
        {
            throw new ArgumentException(
                $"Layer \"{layer}\" cannot apply {argument}={window} with padding=\"{padding.ToKeras()}\" to an input of spatial size " +
                $"({input.Height}, {input.Width}): the {noun} is larger than the input. Use a smaller {argument} or padding=\"same\".");
        }
        return (height, width);
    }

    /// <summary>TensorFlow's SAME padding along one axis: the total split with the extra unit after.</summary>
    public static (int Before, int After) SamePadding(int input, int window, int stride)
    {
        var output = (input + stride - 1) / stride;
        var total = Math.Max((output - 1) * stride + window - input, 0);
        return (total / 2, total - total / 2);
    }
}
