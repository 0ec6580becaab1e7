using System.Globalization;
using System.Text;
using CnnLab.Layers;
using CnnLab.Models;
using static TorchSharp.torch;

namespace CnnLab.Saving;

/// <summary>The files <see cref="PyTorchExport.Export"/> wrote.</summary>
public sealed record PyTorchExportFiles(string Module, string StateDict, string SafeTensors);

/// <summary>
/// A model as an equivalent <c>torch.nn.Sequential</c>: a generated Python module that builds it, its weights as a
/// state_dict (.pt) and as safetensors under the same names ("0.weight", "2.running_mean", ...). Keras layers that
/// PyTorch spells differently become several modules: a Conv2D with "same" padding and an even kernel is a ZeroPad2d
/// (the extra row and column at the bottom and right, as TensorFlow pads) then a Conv2d; a fused activation is its own
/// module. Training-only layers (noise, augmentation) are identities at inference and are left out, with a comment.
/// Images go in as PyTorch's N x C x H x W, scaled and standardised as the model's training data were.
/// </summary>
public static class PyTorchExport
{
    /// <summary>Writes <paramref name="name"/>.py, .pt and .safetensors into <paramref name="folder"/>.</summary>
    public static PyTorchExportFiles Export(Sequential model, string folder, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!IsPythonIdentifier(name))
        {
            throw new ArgumentException($"Export name \"{name}\" is not a Python module name; use letters, digits and underscores, not starting with a digit.", nameof(name));
        }
        var (code, tensors) = Translate(model);
        Directory.CreateDirectory(folder);
        var files = new PyTorchExportFiles(Path.Combine(folder, name + ".py"), Path.Combine(folder, name + ".pt"), Path.Combine(folder, name + ".safetensors"));
        try
        {
            TorchStateDict.Save(files.StateDict, tensors);
            SafeTensors.Save(files.SafeTensors, tensors, new Dictionary<string, string> { ["format"] = "pt" });
            AtomicFile.WriteText(files.Module, code);
        }
        finally
        {
            foreach (var (_, tensor) in tensors)
            {
                tensor.Dispose();
            }
        }
        return files;
    }

    /// <summary>The Python module's source and the state_dict (new tensors the caller disposes), in module order.</summary>
    public static (string Code, List<KeyValuePair<string, Tensor>> StateDict) Translate(Sequential model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        var lines = new List<string>();
        var moduleCount = 0;
        var needsSameAvgPool = false;
        var needsRescaling = false;
        var needsKerasReshape = false;
        using var _ = no_grad();

        void Comment(string text) => lines.Add($"        # {text}");
        // A module's weights are named by its index in the nn.Sequential, as its state_dict names them.
        void Emit(string module, params (string Name, Tensor Value)[] weights)
        {
            lines.Add($"        {module},  # {moduleCount}");
            foreach (var (weightName, value) in weights)
            {
                tensors.Add(new($"{moduleCount}.{weightName}", value.detach().cpu().clone()));
            }
            moduleCount++;
        }

        foreach (var layer in model.Layers)
        {
            var input = layer.InputShape!;
            switch (layer)
            {
                case Conv2D c:
                {
                    Comment($"{c.Name} (Conv2D, {c.Filters} filters, kernel {c.KernelSize}, padding \"{c.Padding.ToKeras()}\")");
                    var (top, bottom, left, right) = c.Padding == Padding.Same ? SamePads(input, c.KernelSize, c.Strides) : (0, 0, 0, 0);
                    var symmetric = top == bottom && left == right;
                    if (!symmetric)
                    {
                        Emit(F($"nn.ZeroPad2d(({left}, {right}, {top}, {bottom}))"));
                    }
                    var padding = symmetric ? $"({top}, {left})" : "0";
                    var weights = new List<(string, Tensor)> { ("weight", c.Kernel) };
                    if (c.Bias is { } bias)
                    {
                        weights.Add(("bias", bias));
                    }
                    Emit(F($"nn.Conv2d({input.Channels}, {c.Filters}, kernel_size=({c.KernelSize.Height}, {c.KernelSize.Width}), stride=({c.Strides.Height}, {c.Strides.Width}), padding={padding}, bias={Py(c.UseBias)})"),
                        weights.ToArray());
                    EmitActivation(c.ActivationName);
                    break;
                }
                case Dense d:
                {
                    if (input.Rank != 1)
                    {
                        throw new NotSupportedException($"Layer \"{d.Name}\" (Dense) takes a rank-{input.Rank} input {input}; only Dense layers after a Flatten can be exported.");
                    }
                    Comment($"{d.Name} (Dense, {d.Units} units)");
                    var weights = new List<(string, Tensor)> { ("weight", d.Kernel) };
                    if (d.Bias is { } bias)
                    {
                        weights.Add(("bias", bias));
                    }
                    Emit(F($"nn.Linear({input.Channels}, {d.Units}, bias={Py(d.UseBias)})"), weights.ToArray());
                    EmitActivation(d.ActivationName);
                    break;
                }
                case BatchNormalization b:
                {
                    var channels = input.Channels;
                    Comment($"{b.Name} (BatchNormalization): Keras' momentum {b.Momentum.ToString(CultureInfo.InvariantCulture)} is PyTorch's 1 - momentum");
                    var kind = input.Rank == 1 ? "BatchNorm1d" : "BatchNorm2d";
                    // PyTorch's affine is both scale and centre or neither; a missing one is exported as its identity value.
                    var gamma = b.Gamma ?? ones(channels);
                    var beta = b.Beta ?? zeros(channels);
                    Emit(F($"nn.{kind}({channels}, eps={Py(b.Epsilon)}, momentum={Py(Math.Round(1 - b.Momentum, 12))})"),
                        ("weight", gamma), ("bias", beta), ("running_mean", b.MovingMean), ("running_var", b.MovingVariance),
                        ("num_batches_tracked", tensor(0L)));
                    break;
                }
                case LeakyReLU l:
                    Emit(F($"nn.LeakyReLU({Py(l.Alpha)})"));
                    break;
                case ReLU r:
                    Emit(r.MaxValue is double max ? F($"nn.Hardtanh(0.0, {Py(max)})") : "nn.ReLU()");
                    break;
                case Activation a:
                    EmitActivation(a.ActivationName);
                    break;
                case MaxPooling2D p:
                {
                    var (top, bottom, left, right) = p.Padding == Padding.Same ? SamePads(input, p.PoolSize, p.Strides) : (0, 0, 0, 0);
                    if (top + bottom + left + right > 0)
                    {
                        // -inf never wins the maximum, as TensorFlow's SAME max pooling ignores the padding.
                        Emit(F($"nn.ConstantPad2d(({left}, {right}, {top}, {bottom}), float(\"-inf\"))"));
                    }
                    Emit(F($"nn.MaxPool2d(kernel_size=({p.PoolSize.Height}, {p.PoolSize.Width}), stride=({p.Strides.Height}, {p.Strides.Width}))"));
                    break;
                }
                case AveragePooling2D p:
                {
                    var (top, bottom, left, right) = p.Padding == Padding.Same ? SamePads(input, p.PoolSize, p.Strides) : (0, 0, 0, 0);
                    if (top + bottom + left + right > 0)
                    {
                        needsSameAvgPool = true;
                        Emit(F($"SameAvgPool2d(({p.PoolSize.Height}, {p.PoolSize.Width}), ({p.Strides.Height}, {p.Strides.Width}), ({left}, {right}, {top}, {bottom}))"));
                    }
                    else
                    {
                        Emit(F($"nn.AvgPool2d(kernel_size=({p.PoolSize.Height}, {p.PoolSize.Width}), stride=({p.Strides.Height}, {p.Strides.Width}))"));
                    }
                    break;
                }
                case Flatten:
                    // NCHW flattened channel-major, as CnnLab's Flatten does; the Dense weights follow this order.
                    Emit("nn.Flatten()");
                    break;
                case Dropout d:
                    Emit(F($"nn.Dropout({Py(d.Rate)})"));
                    break;
                case SpatialDropout2D s:
                    Emit(F($"nn.Dropout2d({Py(s.Rate)})"));
                    break;
                case DepthwiseConv2D dw:
                {
                    var (dwTop, dwBottom, dwLeft, dwRight) = dw.Padding == Padding.Same ? SamePads(input, dw.KernelSize, dw.Strides) : (0, 0, 0, 0);
                    if (dwTop + dwBottom + dwLeft + dwRight > 0)
                    {
                        Emit(F($"nn.ZeroPad2d(({dwLeft}, {dwRight}, {dwTop}, {dwBottom}))"));
                    }
                    var dwChannels = input.Channels;
                    var dwWeights = new List<(string, Tensor)> { ("weight", dw.Kernel) };
                    if (dw.parameters().Count() > 1)
                    {
                        dwWeights.Add(("bias", dw.parameters().Last()));
                    }
                    Emit(F($"nn.Conv2d({dwChannels}, {dwChannels * dw.DepthMultiplier}, kernel_size=({dw.KernelSize.Height}, {dw.KernelSize.Width}), stride=({dw.Strides.Height}, {dw.Strides.Width}), groups={dwChannels}, bias={(dw.UseBias ? "True" : "False")})"),
                        dwWeights.ToArray());
                    EmitActivation(dw.ActivationName);
                    break;
                }
                case Reshape r:
                    needsKerasReshape = true;
                    Emit(F($"KerasReshape(({string.Join(", ", r.OutputShape!.Dimensions)},))"));
                    break;
                case GlobalAveragePooling2D:
                    Emit("nn.AdaptiveAvgPool2d(1)");
                    Emit("nn.Flatten()");
                    break;
                case ZeroPadding2D z:
                    Emit(F($"nn.ZeroPad2d(({z.Left}, {z.Right}, {z.Top}, {z.Bottom}))"));
                    break;
                case Rescaling r:
                    needsRescaling = true;
                    Emit(F($"Rescaling({Py(r.Scale)}, {Py(r.Offset)})"));
                    break;
                case GaussianNoise or RandomLayer:
                    Comment($"{layer.Name} ({layer.TypeName}): active in training only, the identity at inference; left out");
                    break;
                default:
                    throw new NotSupportedException($"Layer \"{layer.Name}\" ({layer.TypeName}) has no PyTorch equivalent here; it cannot be exported.");
            }
        }
        return (Module(model, lines, needsSameAvgPool, needsRescaling, needsKerasReshape), tensors);

        void EmitActivation(string? activation)
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
    }

    private static (int Top, int Bottom, int Left, int Right) SamePads(Shape input, Size2 window, Size2 strides)
    {
        var (top, bottom) = PaddingRules.SamePadding(input.Height, window.Height, strides.Height);
        var (left, right) = PaddingRules.SamePadding(input.Width, window.Width, strides.Width);
        return (top, bottom, left, right);
    }

    private static string Module(Sequential model, List<string> lines, bool needsSameAvgPool, bool needsRescaling, bool needsKerasReshape)
    {
        var input = model.InputShape!;
        var text = new StringBuilder();
        text.AppendLine($"\"\"\"PyTorch version of the CnnLab model \"{model.ModelName}\", generated by `cnnlab export`.");
        text.AppendLine();
        text.AppendLine($"Input: float32 images N x {input.Channels} x {input.Height} x {input.Width} (PyTorch's channels-first order), pixel values");
        text.AppendLine(model.InputStandardization is { } s
            ? F($"scaled to [0, 1], then standardised per channel with MEAN and STD below. Output: {model.OutputShape!.Channels} values per image.")
            : F($"scaled to [0, 1]. Output: {model.OutputShape!.Channels} values per image."));
        text.AppendLine();
        text.AppendLine("    model = load(\"model.pt\")  # or \"model.safetensors\" (needs the safetensors package)");
        text.AppendLine("    probabilities = model(images)");
        text.AppendLine("\"\"\"");
        text.AppendLine("import torch");
        text.AppendLine("from torch import nn");
        text.AppendLine();
        text.AppendLine(F($"INPUT_SHAPE = ({input.Channels}, {input.Height}, {input.Width})  # channels, height, width"));
        if (model.ClassNames is { } names)
        {
            text.AppendLine($"CLASS_NAMES = [{string.Join(", ", names.Select(PyString))}]");
        }
        if (model.InputStandardization is { } standardization)
        {
            text.AppendLine($"MEAN = [{string.Join(", ", standardization.Mean.Select(m => Py(m)))}]");
            text.AppendLine($"STD = [{string.Join(", ", standardization.Std.Select(m => Py(m)))}]");
        }
        if (needsSameAvgPool)
        {
            text.AppendLine();
            text.AppendLine();
            text.AppendLine("class SameAvgPool2d(nn.Module):");
            text.AppendLine("    \"\"\"TensorFlow's SAME average pooling: the mean of the real values in each window, padding excluded.\"\"\"");
            text.AppendLine();
            text.AppendLine("    def __init__(self, kernel_size, stride, padding):");
            text.AppendLine("        super().__init__()");
            text.AppendLine("        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding");
            text.AppendLine();
            text.AppendLine("    def forward(self, x):");
            text.AppendLine("        pad = nn.functional.pad");
            text.AppendLine("        sums = nn.functional.avg_pool2d(pad(x, self.padding), self.kernel_size, self.stride, divisor_override=1)");
            text.AppendLine("        ones = torch.ones_like(x[:1, :1])");
            text.AppendLine("        counts = nn.functional.avg_pool2d(pad(ones, self.padding), self.kernel_size, self.stride, divisor_override=1)");
            text.AppendLine("        return sums / counts");
        }
        if (needsRescaling)
        {
            text.AppendLine();
            text.AppendLine();
            text.AppendLine("class Rescaling(nn.Module):");
            text.AppendLine("    \"\"\"Keras' Rescaling: x * scale + offset.\"\"\"");
            text.AppendLine();
            text.AppendLine("    def __init__(self, scale, offset):");
            text.AppendLine("        super().__init__()");
            text.AppendLine("        self.scale, self.offset = scale, offset");
            text.AppendLine();
            text.AppendLine("    def forward(self, x):");
            text.AppendLine("        return x * self.scale + self.offset");
        }
        if (needsKerasReshape)
        {
            text.AppendLine();
            text.AppendLine();
            text.AppendLine("class KerasReshape(nn.Module):");
            text.AppendLine("    \"\"\"Keras' Reshape: in channels-last element order; a 3-d target comes back as an NCHW image.\"\"\"");
            text.AppendLine();
            text.AppendLine("    def __init__(self, shape):");
            text.AppendLine("        super().__init__()");
            text.AppendLine("        self.shape = shape");
            text.AppendLine();
            text.AppendLine("    def forward(self, x):");
            text.AppendLine("        if x.dim() == 4:");
            text.AppendLine("            x = x.permute(0, 2, 3, 1)");
            text.AppendLine("        x = x.reshape((x.shape[0],) + self.shape)");
            text.AppendLine("        return x.permute(0, 3, 1, 2).contiguous() if x.dim() == 4 else x");
        }
        text.AppendLine();
        text.AppendLine();
        text.AppendLine("def build_model() -> nn.Sequential:");
        text.AppendLine("    \"\"\"The architecture with fresh weights; load() fills in the trained ones.\"\"\"");
        text.AppendLine("    return nn.Sequential(");
        foreach (var line in lines)
        {
            text.AppendLine(line);
        }
        text.AppendLine("    )");
        text.AppendLine();
        text.AppendLine();
        text.AppendLine("def load(path: str) -> nn.Sequential:");
        text.AppendLine("    \"\"\"The trained model in inference mode, from the exported .pt (tensors only) or .safetensors file.\"\"\"");
        text.AppendLine("    model = build_model()");
        text.AppendLine("    if path.endswith(\".safetensors\"):");
        text.AppendLine("        from safetensors.torch import load_file");
        text.AppendLine();
        text.AppendLine("        state = load_file(path)");
        text.AppendLine("    else:");
        text.AppendLine("        state = torch.load(path, map_location=\"cpu\", weights_only=True)");
        text.AppendLine("    model.load_state_dict(state)");
        text.AppendLine("    return model.eval()");
        return text.ToString();
    }

    private static bool IsPythonIdentifier(string name) =>
        name.Length > 0 && !char.IsDigit(name[0]) && name.All(c => c == '_' || char.IsAsciiLetterOrDigit(c));

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    private static string Py(bool value) => value ? "True" : "False";

    private static string Py(double value) => value.ToString("R", CultureInfo.InvariantCulture) is var s && s.Contains('.', StringComparison.Ordinal) || s.Contains('E', StringComparison.Ordinal) ? s : s + ".0";

    private static string Py(float value) => Py(double.Parse(value.ToString("R", CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));

    private static string PyString(string value) => "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";
}
