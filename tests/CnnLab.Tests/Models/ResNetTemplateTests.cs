using CnnLab.Core;
using CnnLab.Layers;
using CnnLab.Models;
using CnnLab.Studies.Experiments;

namespace CnnLab.Tests.Models;

/// <summary>Residual networks where models are named: the resnet template and a graph of layers in a study file.</summary>
public sealed class ResNetTemplateTests
{
    [Fact]
    public void The_default_template_on_cifar_images_has_the_78666_weights_of_the_mlcommons_resnet_8()
    {
        using var model = new ResNetTemplate().Build(Shape.Image(32, 32, 3), 10, seed: 1);

        Assert.Equal((78_666, 78_186, 480), (model.ParamCount, model.TrainableParamCount, model.NonTrainableParamCount));
        Assert.Equal(3, model.Layers.Count(l => l is Add));
        // The shortcuts of the second and third stages halve the resolution with a 1x1 Conv2D of stride 2.
        var shortcuts = model.Layers.OfType<Conv2D>().Where(c => c.KernelSize == new Size2(1, 1)).ToList();
        Assert.Equal(new[] { (2, 32), (2, 64) }, shortcuts.Select(c => (c.Strides.Height, c.Filters)));
        Assert.Equal(Shape.Image(8, 8, 64), model.Layers.Last(l => l is Add).OutputShape);
    }

    [Fact]
    public void A_template_that_cannot_make_a_model_is_refused_naming_its_settings()
    {
        var e = Assert.Throws<ArgumentException>(() => new ResNetTemplate { Stages = 9, Width = 16 }.Validate());

        Assert.Equal("A ResNet needs 1 to 8 stages, 1 to 32 blocks per stage and a width whose last stage (width x 2^(stages - 1)) " +
            "has at most 4096 filters; received stages 9, blocks_per_stage 1, width 16.", e.Message);
        var study = Assert.Throws<StudyFileException>(() => StudyParser.Parse(
            "runs:\n  - name: deep\n    model: {stages: 3, width: 2048}\n", "s.yaml"));
        Assert.StartsWith("s.yaml, line 3: the model of run \"deep\": A ResNet needs 1 to 8 stages", study.Message);
    }

    [Theory]
    [InlineData("resnet-fashion.yaml", "ResNet-8, Adam", 28, 1, 78_378, 3)]
    [InlineData("resnet9-cifar10.yaml", "ResNet-9, SGD Nesterov, one cycle", 32, 3, 6_577_610, 2)]
    public void The_residual_examples_build_with_their_weight_counts(string file, string run, int size, int channels, long weights,
        int adds)
    {
        var study = StudyParser.ParseFile(Path.Combine(TestSupport.RepositoryRoot(), "experiments", file));

        using var model = RunRecipe.Model(study.Runs.Single(r => r.Name == run), Shape.Image(size, size, channels), 10, seed: 1);

        Assert.IsType<Model>(model);
        Assert.Equal(weights, model.ParamCount);
        Assert.Equal(adds, model.Layers.Count(l => l is Add));
    }

    [Theory]
    [InlineData("      - add: {inputs: [conv2d, nowhere]}\n",
        "own.yaml, line 8: layer 2 of run \"mine\": `inputs` names \"nowhere\", which is neither `input` nor a layer of the list " +
        "(layers are named by their " +
        "`name`, or as Keras names them: conv2d, conv2d_1, ...).")]
    [InlineData("      - add: {inputs: [conv2d, conv2d_1]}\n      - conv2d: {filters: 1, kernel_size: 3, padding: same}\n",
        "own.yaml, line 8: layer 2 of run \"mine\": the layers \"add\", \"conv2d_1\" take their inputs from each other in a cycle; a " +
        "model's layers must lead from the input to the output without loops.")]
    [InlineData("      - add: {inputs: conv2d}\n",
        "own.yaml, line 8: `inputs` of layer 2 of run \"mine\" must be a list of 1 to 1,000 layer names " +
        "(or `input` for the model's input), e.g. inputs: [conv2d, input].")]
    public void A_layer_graph_that_names_what_is_not_there_is_refused_in_one_line(string entry, string message)
    {
        var yaml = "name: own\nruns:\n  - name: mine\n    model:\n      input_shape: [8, 8, 1]\n      layers:\n" +
            "      - conv2d: {filters: 1, kernel_size: 3, padding: same}\n" + entry +
            "      - flatten: {}\n      - dense: {units: 2, activation: softmax}\n";

        // Names are checked when the file is read; how the graph fits together when the model is built for the data.
        var e = Record.Exception(() =>
        {
            var run = StudyParser.Parse(yaml, "own.yaml").Runs[0];
            using var model = RunRecipe.Model(run, Shape.Image(8, 8, 1), 2, seed: 1);
        });

        Assert.Equal(message, e?.Message);
    }

    [Fact]
    public void A_search_varies_the_resnet_templates_keys_like_any_other_run_key()
    {
        var study = StudyParser.Parse("base: {name: r, model: {stages: 2, width: 8}}\nsearch:\n  space:\n" +
            "    model.width: {choice: [4, 8]}\n    model.blocks_per_stage: {int: [1, 2]}\n", "s.yaml");

        var run = study.Search!.TrialRun(new Dictionary<string, double> { ["model.width"] = 0, ["model.blocks_per_stage"] = 2 }, "t");

        Assert.Equal(new ResNetTemplate { Stages = 2, Width = 4, BlocksPerStage = 2 }, run.Model.ResNet);
    }
}
