using System.Globalization;
using CnnLab.Core;
using CnnLab.Layers;
using static TorchSharp.torch;

namespace CnnLab.Formats.PyTorch;

/// <summary>
/// The torch.nn.Sequential a model's layers write themselves into (<see cref="Layer.ToPyTorch"/>): module lines in
/// order, the state_dict under the names PyTorch gives them (the module's index, then the weight's name), and which
/// helper modules the generated file must define.
/// </summary>
internal sealed class PyTorchModule
{
    private int _count;

    /// <summary>The lines inside <c>nn.Sequential(...)</c>.</summary>
    public List<string> Lines { get; } = [];

    /// <summary>The state_dict, in module order (new tensors the caller disposes).</summary>
    public List<KeyValuePair<string, Tensor>> StateDict { get; } = [];

    /// <summary>Keras' SAME average pooling needs the generated SameAvgPool2d module.</summary>
    public bool NeedsSameAvgPool { get; set; }

    /// <summary>Rescaling needs the generated Rescaling module.</summary>
    public bool NeedsRescaling { get; set; }

    /// <summary>Reshape needs the generated KerasReshape module.</summary>
    public bool NeedsKerasReshape { get; set; }

    public void Comment(string text) => Lines.Add($"        # {Plain(text)}");

    /// <summary>
    /// Text safe inside a generated comment or docstring: names come from model files, and a line break or a quote in
    /// one must not end the comment and become code that runs when the module is imported.
    /// </summary>
    public static string Plain(string text) =>
        string.Concat(text.Select(c => char.IsControl(c) || c is '"' or '\\' or '\u2028' or '\u2029' ? '?' : c));

    /// <summary>A module; its weights are named by its index in the nn.Sequential, as its state_dict names them.</summary>
    public void Emit(string module, params (string Name, Tensor Value)[] weights)
    {
        Lines.Add($"        {module},  # {_count}");
        foreach (var (weightName, value) in weights)
        {
            StateDict.Add(new($"{_count}.{weightName}", value.detach().cpu().clone()));
        }
        _count++;
    }

    /// <summary>A Conv2d's or Linear's state: "weight", and "bias" when there is one.</summary>
    public static (string Name, Tensor Value)[] WeightAndBias(Tensor weight, Tensor? bias) =>
        bias is null ? [("weight", weight)] : [("weight", weight), ("bias", bias)];

    /// <summary>A Keras activation as its module; nothing for none or "linear".</summary>
    public void Activation(string? activation)
    {
        var module = activation switch
        {
            null or "linear" => null,
            "relu" => "nn.ReLU()",
            "leaky_relu" => "nn.LeakyReLU(0.2)",
            "elu" => "nn.ELU(1.0)",
            "gelu" => "nn.GELU()",
            "tanh" => "nn.Tanh()",
            "sigmoid" => "nn.Sigmoid()",
            "softmax" => "nn.Softmax(dim=1)",
            _ => throw new NotSupportedException($"Activation \"{activation}\" has no PyTorch module here; it cannot be exported."),
        };
        if (module is not null)
        {
            Emit(module);
        }
    }

    /// <summary>TensorFlow's SAME padding of a window over <paramref name="input"/>: the extra cell at the end.</summary>
    public static (int Top, int Bottom, int Left, int Right) SamePads(Shape input, Size2 window, Size2 strides)
    {
        var (top, bottom) = PaddingRules.SamePadding(input.Height, window.Height, strides.Height);
        var (left, right) = PaddingRules.SamePadding(input.Width, window.Width, strides.Width);
        return (top, bottom, left, right);
    }

    public static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public static string Py(bool value) => value ? "True" : "False";

    public static string Py(double value) => value.ToString("R", CultureInfo.InvariantCulture) is var s
        && s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) ? s : s + ".0";

    public static string Py(float value) =>
        Py(double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

    public static string PyString(string value) =>
        "\"" + string.Concat(value.Select(c => c switch
        {
            '\\' => "\\\\",
            '"' => "\\\"",
            _ when char.IsControl(c) || c is '\u2028' or '\u2029' => $"\\u{(int)c:x4}",
            _ => c.ToString(),
        })) + "\"";
}
