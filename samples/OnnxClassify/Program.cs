using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;
using SixLabors.ImageSharp.Processing;

// onnx-classify MODEL.onnx IMAGE...: the top 3 classes of each image, as `cnnlab predict` prints them.
if (args.Length < 2)
{
    Console.Error.WriteLine("usage: onnx-classify MODEL.onnx IMAGE...   (a model from `cnnlab export MODEL --format onnx`; " +
        "PNG or JPEG images)");
    return 2;
}
try
{
    using var session = new InferenceSession(args[0]);
    var input = session.InputMetadata.Single();
    var (channels, height, width) = (input.Value.Dimensions[1], input.Value.Dimensions[2], input.Value.Dimensions[3]);
    // What the graph does not do, its metadata says: the pixel scale, any per-channel standardisation, the class names.
    var metadata = session.ModelMetadata.CustomMetadataMap;
    var scale = float.Parse(metadata.GetValueOrDefault("cnnlab.input_scale", "0.00392156862745098"), CultureInfo.InvariantCulture);
    var mean = metadata.TryGetValue("cnnlab.mean", out var m) ? JsonSerializer.Deserialize<float[]>(m)! : new float[channels];
    var std = metadata.TryGetValue("cnnlab.std", out var s) ? JsonSerializer.Deserialize<float[]>(s)!
        : Enumerable.Repeat(1f, channels).ToArray();
    var classes = session.OutputMetadata.Single().Value.Dimensions[1];
    var names = metadata.TryGetValue("cnnlab.class_names", out var n)
        ? JsonSerializer.Deserialize<string[]>(n)!
        : Enumerable.Range(0, classes).Select(i => $"class {i}").ToArray();
    var probabilities = metadata.GetValueOrDefault("cnnlab.output") == "probabilities";

    foreach (var file in args.Skip(1))
    {
        using var image = Image.Load<Rgb24>(file);
        if (image.Width != width || image.Height != height)
        {
            image.Mutate(x => x.Resize(width, height, KnownResamplers.Triangle));
        }
        // N x C x H x W, as the model was trained: grayscale as ITU-R 601 luma, like CnnLab's loader.
        var pixels = new float[channels * height * width];
        image.ProcessPixelRows(rows =>
        {
            for (var y = 0; y < height; y++)
            {
                var row = rows.GetRowSpan(y);
                for (var x = 0; x < width; x++)
                {
                    var p = row[x];
                    for (var c = 0; c < channels; c++)
                    {
                        var value = channels == 1 ? (float)Math.Round(0.299 * p.R + 0.587 * p.G + 0.114 * p.B) : c == 0 ? p.R : c == 1 ? p.G
                            : p.B;
                        pixels[(c * height + y) * width + x] = (value * scale - mean[c]) / std[c];
                    }
                }
            }
        });
        using var tensor = OrtValue.CreateTensorValueFromMemory(pixels, new long[] { 1, channels, height, width });
        using var outputs = session.Run(new RunOptions(), new[] { input.Key }, new[] { tensor }, session.OutputNames);
        var scores = outputs[0].GetTensorDataAsSpan<float>().ToArray();
        if (!probabilities)
        {
            var max = scores.Max();
            var exp = scores.Select(v => MathF.Exp(v - max)).ToArray();
            scores = exp.Select(v => v / exp.Sum()).ToArray();
        }
        var top = scores.Select((p, i) => (p, i)).OrderByDescending(t => t.p).Take(3);
        Console.WriteLine($"{file}: " +
            string.Join(", ", top.Select(t => string.Create(CultureInfo.InvariantCulture, $"{names[t.i]} {t.p:F4}"))));
    }
    return 0;
}
catch (Exception e)
    when (e is OnnxRuntimeException or IOException or UnknownImageFormatException or InvalidImageContentException or JsonException)
{
    Console.Error.WriteLine($"error: {e.Message}");
    return 1;
}
