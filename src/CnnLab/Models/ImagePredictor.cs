using CnnLab.Data;
using CnnLab.Training;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace CnnLab.Models;

/// <summary>One class and its probability.</summary>
public sealed record ClassScore(int Index, string Name, double Probability);

/// <summary>The top classes for one image: a PNG/JPEG file, or image <see cref="Index"/> of an IDX file.</summary>
public sealed record ImagePrediction(string File, int? Index, IReadOnlyList<ClassScore> Top);

/// <summary>
/// Classifies image files with a trained model, preparing them as training prepared its data: PNG and JPEG files of
/// any size are converted to the model's channels and resized (bilinear) to its input, IDX image files must already
/// have the model's size; all are scaled to [0, 1] and standardised when the model carries a standardisation.
/// </summary>
public static class ImagePredictor
{
    private static readonly byte[] PngSignature = { 0x89, (byte)'P', (byte)'N', (byte)'G' };
    private static readonly byte[] JpegSignature = { 0xFF, 0xD8, 0xFF };

    /// <summary>
    /// The <paramref name="topK"/> most probable classes for every image in <paramref name="files"/>, in order; with a
    /// test-time augmentation, from the outputs averaged over it. Outputs that are not finite are an
    /// <see cref="InvalidDataException"/> starting with <paramref name="modelSource"/> (see <see cref="FiniteOutputs"/>).
    /// </summary>
    public static IReadOnlyList<ImagePrediction> Predict(IImageClassifier model, IReadOnlyList<string> files, int topK = 3,
        TestTimeAugmentation augmentation = TestTimeAugmentation.None, string modelSource = "the model")
    {
        ArgumentNullException.ThrowIfNull(model);
        var input = model.InputShape;
        var classes = model.ClassCount;
        if (topK < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(topK), topK, $"top-k must be at least 1 (the model has {classes} classes).");
        }
        var names = model.ClassNames ?? Enumerable.Range(0, classes).Select(i => $"class {i}").ToList();
        var results = new List<ImagePrediction>();
        var pictures = new List<string>();
        // Images first and IDX files in their place would reorder the output; keep the given order by flushing images.
        foreach (var file in files)
        {
            if (IsPicture(file))
            {
                pictures.Add(file);
                continue;
            }
            Flush();
            using var images = ReadIdx(file, input);
            results.AddRange(Classify(model, images, names, topK, augmentation, modelSource,
                i => $"{file}[{i}]").Select((top, i) => new ImagePrediction(file, i, top)));
        }
        Flush();
        return results;

        void Flush()
        {
            if (pictures.Count == 0)
            {
                return;
            }
            using var images = ImageFiles.Read(pictures, input.Channels == 1 ? ColorMode.Grayscale : ColorMode.Rgb,
                (input.Height, input.Width));
            results.AddRange(Classify(model, images, names, topK, augmentation, modelSource,
                i => pictures[(int)i]).Select((top, i) => new ImagePrediction(pictures[i], null, top)));
            pictures.Clear();
        }
    }

    private static List<ClassScore[]> Classify(IImageClassifier model, Tensor images, IReadOnlyList<string> names, int topK,
        TestTimeAugmentation augmentation,
        string modelSource, Func<long, string> imageName)
    {
        using var scope = NewDisposeScope();
        var outputs = model.Predict(images, 100, augmentation);
        FiniteOutputs.Check(model, outputs, modelSource, imageName);
        // A model without a final softmax outputs scores; the probabilities are their softmax.
        var probabilities = model.OutputsProbabilities ? outputs : F.softmax(outputs, 1);
        var k = Math.Min(topK, names.Count);
        var (values, indices) = probabilities.topk(k, dim: 1);
        var p = values.to(ScalarType.Float64).data<double>().ToArray();
        var index = indices.data<long>().ToArray();
        return Enumerable.Range(0, (int)images.shape[0])
            .Select(i => Enumerable.Range(0,
                k).Select(j => new ClassScore((int)index[i * k + j], names[(int)index[i * k + j]], p[i * k + j])).ToArray())
            .ToList();
    }

    private static bool IsPicture(string file)
    {
        if (!File.Exists(file))
        {
            throw new FileNotFoundException($"{file}: no such file; expected a PNG or JPEG image or an IDX image file.", file);
        }
        Span<byte> head = stackalloc byte[4];
        using (var stream = File.OpenRead(file))
        {
            head = head[..stream.Read(head)];
        }
        return head.StartsWith(PngSignature) || head.StartsWith(JpegSignature)
            || file.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || file.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase)
            || file.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase);
    }

    private static Tensor ReadIdx(string file, CnnLab.Core.Shape input)
    {
        int[] dims;
        byte[] pixels;
        try
        {
            (dims, pixels) = IdxFile.Read(file, 3);
        }
        catch (InvalidDataException e) when (e.Message.Contains("not an IDX file", StringComparison.Ordinal))
        {
            throw new InvalidDataException($"{file}: neither a PNG or JPEG image nor an IDX image file (it starts with " +
                $"neither signature).");
        }
        if (input.Channels != 1 || dims[1] != input.Height || dims[2] != input.Width)
        {
            throw new InvalidDataException(
                $"{file}: IDX images are {dims[1]}x{dims[2]} with 1 channel; the model expects {input.Height}x{input.Width} with " +
                $"{input.Channels} channel(s). " +
                "Pass PNG or JPEG files to have them resized, or an IDX file of the model's size.");
        }
        using var raw = tensor(pixels, new long[] { dims[0], 1, dims[1], dims[2] });
        return raw.to(ScalarType.Float32).div_(255f);
    }
}
