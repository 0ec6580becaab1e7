using System.IO.Compression;
using System.Text.Json;
using CnnLab.Export;
using CnnLab.Formats;
using CnnLab.Formats.PyTorch;
using CnnLab.Layers;
using CnnLab.Models;
using static TorchSharp.torch;

namespace CnnLab.Tests.Export;

/// <summary>
/// The PyTorch export names every weight as torch.nn.Sequential would and writes the modules that compute what CnnLab
/// computes. Real PyTorch loads these files in tests/interop/run.sh; with CNNLAB_INTEROP_DIR set, the every-layer model
/// of these tests is written there too, with its inputs and CnnLab's probabilities, for that check.
/// </summary>
public sealed class PyTorchExportTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-export-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void Every_layer_kind_maps_to_torch_modules_with_state_dict_names_and_values()
    {
        using var model = CnnLab.Tests.Models.Saving.ModelFileTests.TrainedModel();

        var (code, state) = PyTorchExport.Translate(model);

        // Augmentation and noise are left out; the even-kernel 'same' conv gets its TensorFlow padding first.
        Assert.Equal(
            new[]
            {
                "1.weight (4, 1, 3, 2)", "1.bias (4)",
                "2.weight (4)", "2.bias (4)", "2.running_mean (4)", "2.running_var (4)", "2.num_batches_tracked ()",
                "6.weight (6, 4, 3, 3)", "6.bias (6)",
                "10.weight (8, 24)",
                "13.weight (2, 8)", "13.bias (2)",
            },
            state.Select(kv => $"{kv.Key} ({string.Join(", ", kv.Value.shape)})"));
        Assert.Contains("nn.ZeroPad2d((0, 1, 1, 1)),  # 0", code);
        Assert.Contains("nn.Conv2d(1, 4, kernel_size=(3, 2), stride=(1, 1), padding=0, bias=True),  # 1", code);
        Assert.Contains("nn.BatchNorm2d(4, eps=0.001, momentum=0.1),  # 2", code);
        Assert.Contains("nn.LeakyReLU(0.2),  # 3", code);
        Assert.Contains("nn.MaxPool2d(kernel_size=(2, 2), stride=(2, 2)),  # 4", code);
        Assert.Contains("nn.Dropout2d(0.1),  # 5", code);
        Assert.Contains("nn.Conv2d(4, 6, kernel_size=(3, 3), stride=(2, 2), padding=(0, 0), bias=True),  # 6", code);
        Assert.Contains("nn.ReLU(),  # 7", code);
        Assert.Contains("SameAvgPool2d((2, 2), (1, 1), (0, 1, 0, 1)),  # 8", code);
        Assert.Contains("class SameAvgPool2d(nn.Module):", code);
        Assert.Contains("nn.Flatten(),  # 9", code);
        Assert.Contains("nn.Linear(24, 8, bias=False),  # 10", code);
        Assert.Contains("nn.Hardtanh(0.0, 6.0),  # 11", code);
        Assert.Contains("nn.Dropout(0.2),  # 12", code);
        Assert.Contains("nn.Softmax(dim=1),  # 14", code);
        Assert.Contains("# random_flip (RandomFlip): active in training only, the identity at inference; left out", code);
        var conv = (Conv2D)model.Layers[5];
        var batchNorm = (BatchNormalization)model.Layers[6];
        Assert.Equal(TestSupport.ToArray(conv.Kernel), TestSupport.ToArray(state[0].Value));
        Assert.Equal(TestSupport.ToArray(batchNorm.MovingVariance), TestSupport.ToArray(state[5].Value));
        Assert.Equal(TestSupport.ToArray(((Dense)model.Layers[13]).Kernel), TestSupport.ToArray(state[9].Value));
        foreach (var (_, tensor) in state)
        {
            tensor.Dispose();
        }
    }

    [Fact]
    public void The_state_dict_is_a_torch_zip_archive_of_raw_tensors_and_a_weights_only_pickle()
    {
        using var weight = arange(6, dtype: ScalarType.Float32).reshape(2, 3);
        using var count = tensor(7L);
        var path = Path.Combine(_folder, "state.pt");

        TorchStateDict.Save(path, new[] { new KeyValuePair<string, Tensor>("0.weight", weight), new("1.num_batches_tracked", count) });

        using var zip = ZipFile.OpenRead(path);
        Assert.Equal(new[] { "archive/data.pkl", "archive/data/0", "archive/data/1", "archive/version" },
            zip.Entries.Select(e => e.FullName));
        Assert.All(zip.Entries, e => Assert.Equal(e.Length, e.CompressedLength));
        Assert.Equal(weight.bytes.ToArray(), Read(zip, "archive/data/0"));
        Assert.Equal(BitConverter.GetBytes(7L), Read(zip, "archive/data/1"));
        var pickle = Read(zip, "archive/data.pkl");
        Assert.Equal(new byte[] { 0x80, 2 }, pickle[..2]);
        Assert.Equal((byte)'.', pickle[^1]);
        var text = System.Text.Encoding.ASCII.GetString(pickle);
        // The only globals weights_only=True has to allow.
        Assert.Equal(
            new[] { "collections\nOrderedDict", "torch._utils\n_rebuild_tensor_v2", "torch\nFloatStorage", "collections\nOrderedDict",
                "torch._utils\n_rebuild_tensor_v2", "torch\nLongStorage", "collections\nOrderedDict" },
            System.Text.RegularExpressions.Regex.Matches(text, "c((?:collections|torch._utils|torch)\n[A-Za-z_0-9]+)\n").Select(m =>
                m.Groups[1].Value));
    }

    [Fact]
    public void Export_writes_module_state_dict_and_safetensors_and_refuses_a_name_python_cannot_import()
    {
        using var model = CnnLab.Tests.Models.Saving.ModelFileTests.TrainedModel();
        model.ClassNames = new[] { "vertical", "horizontal" };

        var files = PyTorchExport.Export(model, _folder, "everything");

        Assert.Contains("CLASS_NAMES = [\"vertical\", \"horizontal\"]", File.ReadAllText(files.Module));
        var (tensors, metadata) = SafeTensors.Load(files.SafeTensors);
        Assert.Equal("pt", metadata["format"]);
        Assert.Equal(12, tensors.Count);
        Assert.True(File.Exists(files.StateDict));
        Assert.Equal("Export name \"2-models\" is not a Python module name; use letters, digits and underscores, " +
            "not starting with a digit.",
            TestSupport.KerasMessage(Assert.Throws<ArgumentException>(() => PyTorchExport.Export(model, _folder, "2-models"))));

        if (Environment.GetEnvironmentVariable("CNNLAB_INTEROP_DIR") is { Length: > 0 } interop)
        {
            WriteInteropCase(model, interop);
        }
    }

    /// <summary>The export, 100 random 12x12 images as IDX, and CnnLab's probabilities in `cnnlab predict --json` form.</summary>
    private static void WriteInteropCase(Sequential model, string folder)
    {
        PyTorchExport.Export(model, folder, "every_layer");
        OnnxExport.Export(model, Path.Combine(folder, "every_layer.onnx"));
        var random = new Random(5);
        var pixels = new byte[100 * 12 * 12];
        random.NextBytes(pixels);
        File.WriteAllBytes(Path.Combine(folder, "every_layer-idx3-ubyte"),
            Data.Fixtures.IdxHeader(3, 100, 12, 12).Concat(pixels).ToArray());
        using var images = tensor(pixels, new long[] { 100, 1, 12, 12 }).to(ScalarType.Float32).div_(255f);
        using var probabilities = model.Predict(images);
        var p = probabilities.to(ScalarType.Float64).data<double>().ToArray();
        var predictions = Enumerable.Range(0,
            100).Select(i => new { top = Enumerable.Range(0, 2).Select(c => new { label = c, probability = p[i * 2 + c] }) });
        File.WriteAllText(Path.Combine(folder, "every_layer.json"), JsonSerializer.Serialize(predictions));
    }

    private static byte[] Read(ZipArchive zip, string name)
    {
        using var stream = zip.GetEntry(name)!.Open();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
