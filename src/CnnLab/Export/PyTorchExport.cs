using System.Globalization;
using System.Text;
using CnnLab.Formats;
using CnnLab.Formats.PyTorch;
using CnnLab.Layers;
using CnnLab.Models;
using static CnnLab.Formats.PyTorch.PyTorchModule;
using static TorchSharp.torch;

namespace CnnLab.Export;

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
    public static PyTorchExportFiles Export(KerasModel model, string folder, string name)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!IsPythonIdentifier(name))
        {
            throw new ArgumentException($"Export name \"{name}\" is not a Python module name; use letters, digits and underscores, " +
                $"not starting with a digit.", nameof(name));
        }
        var (code, tensors) = Translate(model);
        Directory.CreateDirectory(folder);
        var files = new PyTorchExportFiles(Path.Combine(folder, name + ".py"), Path.Combine(folder, name + ".pt"),
            Path.Combine(folder, name + ".safetensors"));
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
    public static (string Code, List<KeyValuePair<string, Tensor>> StateDict) Translate(KerasModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model is Model graph)
        {
            return TranslateGraph(graph);
        }
        var module = new PyTorchModule();
        using (no_grad())
        {
            foreach (var layer in model.Layers)
            {
                layer.ToPyTorch(module);
            }
        }
        var build = new List<string> { "def build_model() -> nn.Module:",
            "    \"\"\"The architecture with fresh weights; load() fills in the trained ones.\"\"\"", "    return nn.Sequential(" };
        build.AddRange(module.Lines);
        build.Add("    )");
        return (Module(model, module, build), module.StateDict);
    }

    /// <summary>
    /// A graph as an nn.Module whose forward follows it: each layer's modules in an nn.Sequential attribute (l0, l1, ...:
    /// layer names need not be Python names), merges as expressions (a + b, torch.cat([a, b], dim=1)).
    /// </summary>
    private static (string Code, List<KeyValuePair<string, Tensor>> StateDict) TranslateGraph(Model model)
    {
        var all = new PyTorchModule();
        var build = new List<string> { "class Graph(nn.Module):",
            "    \"\"\"The model's graph: forward computes each layer's output once.\"\"\"",
            "", "    def __init__(self):", "        super().__init__()" };
        var forward = new List<string> { "", "    def forward(self, x):" };
        var variables = new Dictionary<string, string>(StringComparer.Ordinal) { [model.InputName] = "x" };
        using (no_grad())
        {
            foreach (var ((layer, inbound), i) in model.Layers.Zip(model.InboundNames).Select((p, i) => (p, i)))
            {
                var inputs = inbound.Select(n => variables[n]).ToList();
                var variable = F($"v{i}");
                if (layer is Merge merge)
                {
                    forward.Add($"        {variable} = {merge.ToPyTorch(inputs)}  # {Plain(layer.Name)}");
                }
                else
                {
                    var one = new PyTorchModule();
                    layer.ToPyTorch(one);
                    all.NeedsSameAvgPool |= one.NeedsSameAvgPool;
                    all.NeedsRescaling |= one.NeedsRescaling;
                    all.NeedsKerasReshape |= one.NeedsKerasReshape;
                    build.Add(F($"        self.l{i} = nn.Sequential(  # {Plain(layer.Name)}"));
                    build.AddRange(one.Lines.Select(l => "    " + l));
                    build.Add("        )");
                    all.StateDict.AddRange(one.StateDict.Select(w => KeyValuePair.Create(F($"l{i}.{w.Key}"), w.Value)));
                    forward.Add(F($"        {variable} = self.l{i}({inputs[0]})"));
                }
                variables[layer.Name] = variable;
            }
        }
        forward.Add($"        return {variables[model.Layers[^1].Name]}");
        build.AddRange(forward);
        build.AddRange(new[] { "", "", "def build_model() -> nn.Module:",
            "    \"\"\"The architecture with fresh weights; load() fills in the trained ones.\"\"\"", "    return Graph()" });
        return (Module(model, all, build), all.StateDict);
    }

    private static string Module(KerasModel model, PyTorchModule module, IEnumerable<string> build)
    {
        var input = model.InputShape!;
        var text = new StringBuilder();
        text.AppendLine($"\"\"\"PyTorch version of the CnnLab model \"{Plain(model.ModelName)}\", generated by `cnnlab export`.");
        text.AppendLine();
        text.AppendLine($"Input: float32 images N x {input.Channels} x {input.Height} x {input.Width} (PyTorch's channels-first order), " +
            $"pixel values");
        var outputs = F($"Output: {model.OutputShape!.Channels} values per image.");
        text.AppendLine(model.InputStandardization is { } s
            ? "scaled to [0, 1], then standardised per channel with MEAN and STD below. " + outputs
            : "scaled to [0, 1]. " + outputs);
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
        if (module.NeedsSameAvgPool)
        {
            text.AppendLine();
            text.AppendLine();
            text.AppendLine("class SameAvgPool2d(nn.Module):");
            text.AppendLine("    \"\"\"TensorFlow's SAME average pooling: the mean of the real values in each window, " +
                "padding excluded.\"\"\"");
            text.AppendLine();
            text.AppendLine("    def __init__(self, kernel_size, stride, padding):");
            text.AppendLine("        super().__init__()");
            text.AppendLine("        self.kernel_size, self.stride, self.padding = kernel_size, stride, padding");
            text.AppendLine();
            text.AppendLine("    def forward(self, x):");
            text.AppendLine("        pad = nn.functional.pad");
            text.AppendLine("        sums = nn.functional.avg_pool2d(pad(x, self.padding), self.kernel_size, self.stride, " +
                "divisor_override=1)");
            text.AppendLine("        ones = torch.ones_like(x[:1, :1])");
            text.AppendLine("        counts = nn.functional.avg_pool2d(pad(ones, self.padding), self.kernel_size, self.stride, " +
                "divisor_override=1)");
            text.AppendLine("        return sums / counts");
        }
        if (module.NeedsRescaling)
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
        if (module.NeedsKerasReshape)
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
        foreach (var line in build)
        {
            text.AppendLine(line);
        }
        text.AppendLine();
        text.AppendLine();
        text.AppendLine("def load(path: str) -> nn.Module:");
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
}
