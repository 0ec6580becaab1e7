using CnnLab.Data;

namespace CnnLab.Tests.Data;

/// <summary>Keras' dataset names are accepted and a typo gets the nearest name (issue 13, item 15).</summary>
public class DatasetCatalogTests
{
    [Theory]
    [InlineData("fashion_mnist", "fashion-mnist")]
    [InlineData("Fashion-MNIST", "fashion-mnist")]
    [InlineData("mnist", "mnist")]
    [InlineData("cifar10", "cifar10")]
    [InlineData("CIFAR10", "cifar10")]
    [InlineData("kmnist", "kmnist")]
    public void Keras_names_and_ours_find_the_dataset_in_any_case(string name, string expected)
    {
        Assert.Equal(expected, DatasetCatalog.Find(name)?.Name);
    }

    [Theory]
    [InlineData("fashon-mnist", "fashion-mnist")]
    [InlineData("fashionmnist", "fashion-mnist")]
    [InlineData("fashion", "fashion-mnist")]
    [InlineData("mnsit", "mnist")]
    [InlineData("kmnst", "kmnist")]
    [InlineData("cifar-10", "cifar10")]
    [InlineData("cifar100", "cifar10")]
    [InlineData("imagenet", null)]
    [InlineData("my_images", null)]
    public void A_typo_gets_the_nearest_name_and_a_different_name_none(string typed, string? expected)
    {
        Assert.Equal(expected, DatasetCatalog.Nearest(typed));
    }

    [Fact]
    public void An_unknown_name_suggests_the_nearest_and_a_missing_folder_says_so()
    {
        var typo = Assert.Throws<ArgumentException>(() => DatasetSource.Open("fashon_mnist"));
        var folder = Assert.Throws<DirectoryNotFoundException>(() => DatasetSource.Open("no/such/folder"));

        Assert.Equal("Unknown dataset \"fashon_mnist\". Expected one of: fashion-mnist, mnist, kmnist, cifar10, " +
                     "a folder of class sub-folders, " +
                     "or a .csv file. Did you mean \"fashion-mnist\"?", TestSupport.KerasMessage(typo));
        Assert.Equal("Dataset folder \"no/such/folder\" does not exist. Expected a folder of class sub-folders, a .csv file, or one of: " +
                     "fashion-mnist, mnist, kmnist, cifar10.", folder.Message);
    }
}
