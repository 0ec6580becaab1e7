using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using CnnLab.Core;
using CnnLab.Data;
using CnnLab.Layers;
using CnnLab.Models;

namespace CnnLab.Tests.Models.Saving;

/// <summary>
/// Bounded random mutations of a valid saved model (bytes flipped, inserted or cut; the safetensors header and the
/// model config inside it edited: huge numbers, wrong kinds of value, deep nesting, keys removed or doubled): every
/// outcome is a loaded model or an <see cref="InvalidDataException"/> naming the file, never another exception, a
/// crash or a hang.
/// </summary>
public sealed class ModelFileFuzzTests : IDisposable
{
    private const int Mutations = 600;
    private static readonly string[] Values =
    {
        "1e308", "-1", "0", "99999999999", "4294967296", "9223372036854775807", "18446744073709551616", "2.5", "\"x\"", "\"\"", "true",
            "null",
        "{}", "[]", "[1]", "[-1, 2]", "[4294967296, 4294967296]", "[0, 9223372036854775807]", "\"F64\"", "\"U8\"", "\"same\"", "\"relu\"",
        "\"Dense\"", "[100000, 100000, 1]", "[16384, 16384, 1]", "50000",
    };

    private static readonly string[] Fragments = { "[", "]", "{", "}", ",", ":", "\"", "\\", "\\u0000", "1e999", "-", "null", "\u00e9",
        "\uFFFF" };

    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-fuzz-model-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    private static void SaveValidModel(string path)
    {
        using var model = new Sequential(Shape.Image(8, 8, 1), seed: 2, name: "fuzzed");
        model.Add(new RandomFlip("horizontal"));
        model.Add(new Conv2D(3, 3, padding: Padding.Same, kernelRegularizer: Regularizer.OfL2(1e-3)));
        model.Add(new BatchNormalization());
        model.Add(new LeakyReLU(0.2));
        model.Add(new MaxPooling2D(2));
        model.Add(new Dropout(0.25));
        model.Add(new Flatten());
        model.Add(new Dense(3, activation: "softmax"));
        model.ClassNames = new[] { "a", "b", "c" };
        model.InputStandardization = Standardization.From(new[] { 0.5f }, new[] { 0.25f });
        model.Save(path);
    }

    [Fact]
    public void Mutated_model_files_load_or_fail_with_an_error_naming_the_file()
    {
        var valid = Path.Combine(_folder, "valid.safetensors");
        SaveValidModel(valid);
        var original = File.ReadAllBytes(valid);
        var path = Path.Combine(_folder, "mutated.safetensors");
        var random = new Random(20260613);
        var clock = Stopwatch.StartNew();
        int loaded = 0, refused = 0;
        for (var i = 0; i < Mutations; i++)
        {
            var (kind, bytes) = Mutate(original, random);
            File.WriteAllBytes(path, bytes);
            try
            {
                using var model = Sequential.Load(path);
                loaded++;
            }
            catch (InvalidDataException e)
                when (e.Message.StartsWith(path + ": ", StringComparison.Ordinal) && !e.Message.Contains('\n', StringComparison.Ordinal))
            {
                refused++;
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} ({kind}) threw {e}");
            }
        }
        Assert.Equal(Mutations, loaded + refused);
        Assert.True(loaded > 0, "no mutation loaded: the mutations never leave a valid file");
        Assert.True(refused > Mutations / 2, $"only {refused} mutations were refused");
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), $"{Mutations} loads took {clock.Elapsed}");
    }

    /// <summary>One mutation of a kind picked at random; the kind is returned to say which one failed.</summary>
    private static (string Kind, byte[] Bytes) Mutate(byte[] original, Random random)
    {
        var (header, data) = Split(original);
        switch (random.Next(9))
        {
            case 0:
                var flipped = (byte[])original.Clone();
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
                }
                return ("bytes flipped", flipped);
            case 1:
                return ("truncated", original[..random.Next(original.Length)]);
            case 2:
                var at = random.Next(original.Length + 1);
                var inserted = new byte[random.Next(1, 16)];
                random.NextBytes(inserted);
                return ("bytes inserted", original[..at].Concat(inserted).Concat(original[at..]).ToArray());
            case 3:
                var text = header.ToJsonString();
                var position = random.Next(text.Length + 1);
                return ("header text edited", Join(text[..position] + Fragments[random.Next(Fragments.Length)] + text[position..], data));
            case 4:
                ReplaceRandomValue(header, random);
                return ("header value replaced", Join(header.ToJsonString(), data));
            case 5:
                var nested = new string('[', random.Next(20, 5000));
                var deep = header.ToJsonString();
                var cut = random.Next(1, deep.Length);
                return ("deep nesting", Join(deep[..cut] + nested + deep[cut..], data));
            case 6:
                var keys = header.Select(kv => kv.Key).ToList();
                var doubled = keys[random.Next(keys.Count)];
                return ("key doubled", Join($"{{\"{doubled}\":{header[doubled]!.ToJsonString()}," + header.ToJsonString()[1..], data));
            default:
                // The model config, class names or standardisation: JSON inside a metadata string.
                var metadata = header["__metadata__"]!.AsObject();
                var key = new[] { "cnnlab_config", "cnnlab_config", "cnnlab_class_names", "cnnlab_standardization" }[random.Next(4)];
                var inner = JsonNode.Parse(metadata[key]!.GetValue<string>())!;
                if (random.Next(4) == 0)
                {
                    var innerText = inner.ToJsonString();
                    var p = random.Next(innerText.Length + 1);
                    metadata[key] = innerText[..p] + (random.Next(2) == 0 ? new string('{', random.Next(20, 500))
                        : Fragments[random.Next(Fragments.Length)]) + innerText[p..];
                }
                else
                {
                    ReplaceRandomValue(inner, random);
                    metadata[key] = inner.ToJsonString();
                }
                return ($"{key} edited", Join(header.ToJsonString(), data));
        }
    }

    /// <summary>Replaces a random value anywhere in the tree, or removes a key.</summary>
    private static void ReplaceRandomValue(JsonNode root, Random random)
    {
        var nodes = new List<(JsonNode Parent, string? Key, int Index)>();
        void Walk(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (k, v) in o.ToList())
                    {
                        nodes.Add((o, k, -1));
                        Walk(v);
                    }
                    break;
                case JsonArray a:
                    for (var i = 0; i < a.Count; i++)
                    {
                        nodes.Add((a, null, i));
                        Walk(a[i]);
                    }
                    break;
            }
        }
        Walk(root);
        if (nodes.Count == 0)
        {
            return;
        }
        var (parent, key, index) = nodes[random.Next(nodes.Count)];
        var replacement = JsonNode.Parse(Values[random.Next(Values.Length)]);
        if (parent is JsonObject obj && key is not null)
        {
            if (random.Next(5) == 0)
            {
                obj.Remove(key);
            }
            else
            {
                obj[key] = replacement;
            }
        }
        else
        {
            ((JsonArray)parent)[index] = replacement;
        }
    }

    private static (JsonObject Header, byte[] Data) Split(byte[] file)
    {
        var length = (int)BitConverter.ToUInt64(file, 0);
        return (JsonNode.Parse(Encoding.UTF8.GetString(file, 8, length))!.AsObject(), file[(8 + length)..]);
    }

    private static byte[] Join(string header, byte[] data)
    {
        var json = Encoding.UTF8.GetBytes(header);
        return BitConverter.GetBytes((ulong)json.Length).Concat(json).Concat(data).ToArray();
    }
}
