using CnnLab.Data;

namespace CnnLab.Tests.Data;

/// <summary>
/// The order of a folder's samples (issue 13, item 1): shuffled with seed 0 by default as Keras' image_dataset_from_directory,
/// or kept in file order; the held-out test split is the same whatever the order.
/// </summary>
public sealed class DataShuffleTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("cnnlab-shuffle-").FullName;

    public DataShuffleTests() => Fixtures.ClassOrderedFolder(_root, classes: 4, perClass: 10, size: 6);

    public void Dispose() => Directory.Delete(_root, true);

    [Fact]
    public void A_folder_is_shuffled_with_seed_0_by_default_and_kept_in_file_order_on_request()
    {
        using var kept = ImageFolder.Load(_root, ColorMode.Grayscale, shuffle: DataShuffle.KeepFileOrder);
        using var shuffled = ImageFolder.Load(_root, ColorMode.Grayscale);

        Assert.Equal(Enumerable.Range(0, 40).Select(i => (long)(i / 10)), kept.Labels.data<long>().ToArray());
        var order = DataShuffle.Default.Order(40);
        Assert.Equal(order.Select(i => (long)(i / 10)), shuffled.Labels.data<long>().ToArray());
        using var expected = kept.Select(TorchSharp.torch.tensor(order.Select(i => (long)i).ToArray()));
        Assert.Equal(TestSupport.ToArray(expected.Images), TestSupport.ToArray(shuffled.Images));
        Assert.Equal(0L, DataShuffle.DefaultSeed);
        Assert.Equal(("shuffled with seed 0", "in file order"), (DataShuffle.Default.ToString(), DataShuffle.KeepFileOrder.ToString()));
    }

    [Fact]
    public void The_first_samples_of_a_shuffled_folder_hold_every_class()
    {
        using var splits = DatasetSource.Open(_root, color: ColorMode.Grayscale);
        using var first = splits.Train.Take(12);

        Assert.All(first.CountsPerClass(), n => Assert.True(n > 0, "every class among the first 12 of 32"));
        Assert.Equal(DataShuffle.Default, splits.Shuffle);
        Assert.Equal(Path.GetFullPath(_root), splits.Spec);
        Assert.Equal($"image folder {_root} (a stratified 20% held out as test, seed 0; training samples shuffled with seed 0)",
            splits.Source);
    }

    [Fact]
    public void The_held_out_test_split_is_the_same_whatever_the_order_of_the_training_split()
    {
        using var byDefault = DatasetSource.Open(_root, color: ColorMode.Grayscale);
        using var seeded = DatasetSource.Open(_root, color: ColorMode.Grayscale, shuffle: DataShuffle.WithSeed(5));
        using var kept = DatasetSource.Open(_root, color: ColorMode.Grayscale, shuffle: DataShuffle.KeepFileOrder);

        Assert.Equal(TestSupport.ToArray(kept.Test.Images), TestSupport.ToArray(byDefault.Test.Images));
        Assert.Equal(TestSupport.ToArray(kept.Test.Images), TestSupport.ToArray(seeded.Test.Images));
        Assert.NotEqual(TestSupport.ToArray(kept.Train.Images), TestSupport.ToArray(byDefault.Train.Images));
        Assert.NotEqual(TestSupport.ToArray(byDefault.Train.Images), TestSupport.ToArray(seeded.Train.Images));
        Assert.Equal(Enumerable.Range(0, 32).Select(i => (long)(i / 8)), kept.Train.Labels.data<long>().ToArray());
    }

    [Fact]
    public void A_known_dataset_refuses_a_shuffle_before_looking_for_its_files()
    {
        var e = Assert.Throws<ArgumentException>(() => DatasetSource.Open("fashion_mnist", shuffle: DataShuffle.KeepFileOrder));

        Assert.Equal("fashion-mnist is read in its publisher's order, whose classes are already mixed; " +
                     "a shuffle (in file order) applies to " +
                     "image folders and CSV files only. Leave the shuffle settings out for fashion-mnist.", TestSupport.KerasMessage(e));
    }
}
