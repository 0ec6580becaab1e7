using CnnLab.Layers;
using CnnLab.Models;

namespace CnnLab.Tests.Models;

public class NotebookModelsTests
{
    [Theory]
    [InlineData("m3-leaky", 56_318, 56_318, 0)]
    [InlineData("m2-leaky", 77_638, 77_638, 0)]
    [InlineData("m2-bn-before", 78_374, 78_006, 368)]
    [InlineData("m2-bn-before-adam", 78_374, 78_006, 368)]
    [InlineData("m2-bn-after", 78_374, 78_006, 368)]
    public void Parameter_counts_equal_the_notebooks_Keras_counts(string name, long total, long trainable, long nonTrainable)
    {
        using var model = NotebookModels.Create(name, seed: 0);

        Assert.Equal(total, model.ParamCount);
        Assert.Equal(trainable, model.TrainableParamCount);
        Assert.Equal(nonTrainable, model.NonTrainableParamCount);
    }

    [Fact]
    public void Three_block_model_has_the_notebooks_output_shapes()
    {
        using var model = NotebookModels.Create("m3-leaky", seed: 0);

        var shapes = model.Layers.Where(l => l is Conv2D or MaxPooling2D or Flatten).Select(l => l.OutputShape!.ToString());

        Assert.Equal(new[]
        {
            "(None, 28, 28, 20)", "(None, 28, 28, 20)", "(None, 14, 14, 20)",
            "(None, 14, 14, 40)", "(None, 14, 14, 40)", "(None, 7, 7, 40)",
            "(None, 7, 7, 60)", "(None, 7, 7, 60)", "(None, 3, 3, 60)",
            "(None, 540)",
        }, shapes);
    }

    [Fact]
    public void Two_block_model_flattens_7_by_7_by_40()
    {
        using var model = NotebookModels.Create("m2-leaky", seed: 0);

        Assert.Equal("(None, 7, 7, 40)", model.Layers.OfType<MaxPooling2D>().Last().OutputShape!.ToString());
        Assert.Equal("(None, 1960)", model.Layers.OfType<Flatten>().Single().OutputShape!.ToString());
    }

    [Theory]
    [InlineData("m2-bn-before", typeof(BatchNormalization), typeof(LeakyReLU))]
    [InlineData("m2-bn-after", typeof(LeakyReLU), typeof(BatchNormalization))]
    public void Batch_normalization_sits_before_or_after_the_activation(string name, Type afterConv, Type next)
    {
        using var model = NotebookModels.Create(name, seed: 0);
        var layers = model.Layers.ToList();
        var firstConv = layers.FindIndex(l => l is Conv2D);

        Assert.IsType(afterConv, layers[firstConv + 1]);
        Assert.IsType(next, layers[firstConv + 2]);
        Assert.Equal(6, layers.OfType<BatchNormalization>().Count());
    }

    [Fact]
    public void Each_model_is_compiled_with_its_optimizer()
    {
        Assert.Equal(new[] { "adam", "adam", "rmsprop", "adam", "rmsprop" },
            NotebookModels.Names.Select(n => { using var m = NotebookModels.Create(n, seed: 0); return m.Optimizer!.Name; }));
    }

    [Fact]
    public void Unknown_model_name_lists_the_known_ones()
    {
        var e = Assert.Throws<ArgumentException>(() => NotebookModels.Get("m4"));

        Assert.Equal("Unknown model \"m4\". Expected one of: m3-leaky, m2-leaky, m2-bn-before, m2-bn-before-adam, m2-bn-after.",
            TestSupport.KerasMessage(e));
    }
}
