using CnnLab.Models.Saving;
using PureHDF;

namespace CnnLab.Tests.Models.Saving;

/// <summary>
/// The HDF5 walk with links: a Keras file rebuilt with PureHDF's writer, in which seeded choices of groups and datasets
/// are replaced by soft links to themselves, to their parent, to each other, to the root or to nothing. Each file loads
/// or fails with one line naming it; none overflows the stack or hangs.
/// </summary>
public sealed class KerasLinkFuzzTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("cnnlab-keras-links-").FullName;

    public void Dispose() => Directory.Delete(_folder, true);

    [Fact]
    public void Soft_links_anywhere_in_a_keras_file_load_or_say_what_is_wrong()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "sequential.h5");
        var random = new Random(23);
        var refused = 0;
        for (var i = 0; i < 40; i++)
        {
            var (file, sites) = Copy(source);
            var linked = new List<string>();
            for (var m = 0; m < 1 + random.Next(3); m++)
            {
                var site = sites[random.Next(sites.Count)];
                var parent = site[..site.LastIndexOf('/')];
                var targets = new[] { site, parent.Length == 0 ? "/" : parent, "/", "/nowhere", sites[random.Next(sites.Count)] }
                    .Concat(linked).ToArray();
                Replace(file, site, new H5SoftLink(targets[random.Next(targets.Length)]));
                linked.Add(site);
            }
            var path = Path.Combine(_folder, $"{i}.h5");
            file.Write(path);
            try
            {
                KerasModelFile.Load(path).Dispose();
            }
            catch (InvalidDataException e)
            {
                refused++;
                Assert.StartsWith(path + ": ", e.Message);
                Assert.DoesNotContain("\n", e.Message);
            }
        }
        Assert.True(refused > 30, $"only {refused} of 40 files with soft links were refused");
    }

    [Fact]
    public void The_rebuilt_file_without_links_loads_as_the_original_does()
    {
        var source = Path.Combine(AppContext.BaseDirectory, "fixtures", "keras", "sequential.h5");
        var path = Path.Combine(_folder, "copy.h5");

        Copy(source).File.Write(path);

        using var original = KerasModelFile.Load(source);
        using var copy = KerasModelFile.Load(path);
        Assert.Equal(original.Summary(), copy.Summary());
        Assert.Equal(original.Layers[^1].parameters().First().data<float>().ToArray(),
            copy.Layers[^1].parameters().First().data<float>().ToArray());
    }

    /// <summary>The file as PureHDF's writer takes it, and the paths of its groups and datasets below model_weights.</summary>
    private static (H5File File, List<string> Sites) Copy(string path)
    {
        using var original = H5File.OpenRead(path);
        var file = new H5File();
        CopyAttributes(original, file);
        var sites = new List<string>();
        CopyGroup(original, file, "", sites);
        return (file, sites.Where(s => s.StartsWith("/model_weights/", StringComparison.Ordinal)).ToList());
    }

    private static void CopyGroup(IH5Group from, H5Group to, string at, List<string> sites)
    {
        foreach (var child in from.Children())
        {
            var childAt = $"{at}/{child.Name}";
            sites.Add(childAt);
            if (child is IH5Group group)
            {
                var copy = new H5Group();
                CopyAttributes(group, copy);
                CopyGroup(group, copy, childAt, sites);
                to[child.Name] = copy;
            }
            else if (child is IH5Dataset dataset)
            {
                to[child.Name] = new H5Dataset(dataset.Read<float[]>(), fileDims: dataset.Space.Dimensions);
            }
        }
    }

    private static void CopyAttributes(IH5Object from, H5Object to)
    {
        // The texts Keras reads (model_config, layer_names, weight_names); nothing else is read.
        foreach (var attribute in from.Attributes()
                     .Where(a => a.Type.Class is H5DataTypeClass.String or H5DataTypeClass.VariableLength))
        {
            to.Attributes[attribute.Name] = attribute.Space.Rank == 0
                ? KerasHdf5.ReadText(attribute)
                : KerasHdf5.ReadTexts(attribute);
        }
    }

    private static void Replace(H5Group root, string site, object replacement)
    {
        var names = site.Trim('/').Split('/');
        H5Group group = root;
        foreach (var name in names[..^1])
        {
            if (!group.TryGetValue(name, out var next) || next is not H5Group inner)
            {
                return; // an earlier replacement took an ancestor
            }
            group = inner;
        }
        group[names[^1]] = replacement;
    }
}
