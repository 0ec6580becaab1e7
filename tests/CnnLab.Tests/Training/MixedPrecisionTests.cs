using CnnLab.Data;
using CnnLab.Engine;
using CnnLab.Optimizers;
using CnnLab.Studies.Experiments;
using CnnLab.Studies.Reporting;
using CnnLab.Tests.Cli;
using CnnLab.Training;
using static TorchSharp.torch;

namespace CnnLab.Tests.Training;

/// <summary>
/// Keras' mixed_bfloat16 (issue 24): bf16 convolutions and products on float32 weights, statistics, softmax and loss in
/// float32, decided by a self-test; a CPU without bf16 instructions trains in float32 after one line saying why.
/// </summary>
public sealed class MixedPrecisionTests
{
    private static bool Supported => MixedPrecision.Unavailable() is null;

    [Fact]
    public void The_self_test_compares_bf16_convolutions_with_float32_within_bf16s_tolerance()
    {
        var test = MixedPrecision.SelfTest;

        Assert.Equal(19, test.Errors.Count);
        Assert.Equal(MixedPrecision.Tolerance, test.Tolerance);
        // bf16 keeps 8 bits: a result within float32's rounding would mean the bf16 path never ran.
        Assert.All(test.Errors, e => Assert.True(e.Error > 1e-5, $"{e.Name}: {e.Error}"));
        if (Supported)
        {
            Assert.True(test.Passed, test.ToString());
        }
    }

    [Fact]
    public void Under_the_policy_convolutions_compute_in_bf16_and_the_model_answers_in_float32()
    {
        using var model = TestSupport.SmallCnn(seed: 1, batchNorm: true);
        using var x = rand(4, 1, 12, 12, generator: new Generator(1));
        model.eval();

        using (MixedPrecision.Use(Precision.MixedBFloat16))
        {
            using var convolved = model.Layers[0].forward(x);
            using var normalized = model.Layers[1].forward(convolved);
            using var output = model.forward(x);

            Assert.Equal(ScalarType.BFloat16, convolved.dtype);
            Assert.Equal(ScalarType.BFloat16, normalized.dtype);
            Assert.Equal(ScalarType.Float32, output.dtype);
            using var exact = NoPolicy(model, x);
            var difference = (output - exact).abs().max().item<float>();
            Assert.InRange(difference, 1e-6f, 2e-2f);
        }
        Assert.False(MixedPrecision.Active);
        Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
    }

    [Fact]
    public void Fit_in_mixed_bfloat16_learns_as_float32_does_with_float32_weights()
    {
        var (x, y) = TestSupport.Bars(400, seed: 1);
        var (testX, testY) = TestSupport.Bars(200, seed: 2);
        var warnings = new StringWriter();

        (History History, double Accuracy, float[] Weights) Train(Precision precision)
        {
            using var model = TestSupport.SmallCnn(seed: 1, batchNorm: true);
            model.Compile(new Adam(0.01));
            var history = model.Fit(x, y, new FitOptions
            {
                BatchSize = 20, Epochs = 6, Seed = 1, Verbose = 0, ValidationSplit = 0.2, Precision = precision, Warnings = warnings,
            });
            Assert.All(model.parameters(), p => Assert.Equal(ScalarType.Float32, p.dtype));
            // BatchNormalization's moving statistics too: libtorch's mixed-type kernel sums bf16 inputs in float32.
            Assert.All(model.buffers(), b => Assert.Equal(ScalarType.Float32, b.dtype));
            return (history, model.Evaluate(testX, testY).Accuracy, TestSupport.ToArray(model.parameters().First()));
        }

        var single = Train(Precision.Float32);
        var mixed = Train(Precision.MixedBFloat16);

        if (!Supported)
        {
            Assert.Equal(Precision.Float32, mixed.History.Precision);
            Assert.Equal($"CnnLab: {MixedPrecision.Unavailable()}; training in float32.\n", warnings.ToString());
            return;
        }
        Assert.Equal("", warnings.ToString());
        Assert.Equal(Precision.MixedBFloat16, mixed.History.Precision);
        Assert.NotEqual(single.Weights, mixed.Weights);
        Assert.True(mixed.Accuracy > 0.95, $"mixed_bfloat16 test accuracy {mixed.Accuracy} (float32 {single.Accuracy})");
        Assert.InRange(mixed.History.ValLoss[^1], 0, single.History.ValLoss[^1] + 0.1);
    }

    [Fact]
    public void The_bf16_kernels_that_ran_are_named_in_onednns_verbose_log()
    {
        var (code, output, error) = CliRunner.RunWithEnvironment(new Dictionary<string, string> { ["ONEDNN_VERBOSE"] = "1" },
            "doctor", "--threads", "1");

        Assert.True(code == 0, error);
        if (!Supported)
        {
            Assert.Contains("mixed precision       float32 only: ", output, StringComparison.Ordinal);
            return;
        }
        // oneDNN's own record of what ran: a bf16 kernel (avx512_core_bf16 or AMX) on bf16 tensors, forward and backward.
        foreach (var pass in new[] { "forward_training", "backward_data", "backward_weights" })
        {
            Assert.Matches($@"onednn_verbose,v1,primitive,exec,cpu,convolution,[^,]*(avx512_core_bf16|amx)[^,]*,{pass},src:bf16", output);
        }
        Assert.Contains("mixed precision       mixed_bfloat16 available (--precision mixed_bfloat16); self-test passed", output,
            StringComparison.Ordinal);
    }

    [Fact]
    public void A_study_trains_and_tests_in_mixed_bfloat16_and_records_it()
    {
        var folder = Directory.CreateTempSubdirectory("cnnlab-mixed-").FullName;
        try
        {
            var study = StudyParser.Parse("""
                name: mixed
                training: {epochs: 2, batch_size: 16, validation_split: 0.25, precision: mixed_bfloat16}
                runs:
                  - name: net
                    model: {blocks: [[8]], dense: [8], batch_norm: after}
                  - name: wide
                    model: {blocks: [[8]], dense: [8]}
                    training: {precision: float32}
                """);
            var (x, y) = TestSupport.Bars(96, seed: 1);
            var (testX, testY) = TestSupport.Bars(32, seed: 2);
            using var data = new DataSplits("bars", new Dataset(x, y, new[] { "horizontal", "vertical" }),
                new Dataset(testX, testY, new[] { "horizontal", "vertical" }), "generated");

            var results = new StudyRunner(study, folder, TextWriter.Null).Run(data);
            StudyReport.Write(folder, study, results, data, TimeSpan.FromSeconds(1));

            Assert.Equal(Precision.MixedBFloat16, study.Runs[0].Training.Precision);
            Assert.Equal(Precision.Float32, study.Runs[1].Training.Precision);
            Assert.Equal(Supported ? "mixed_bfloat16" : null, results[0].Precision);
            Assert.Null(results[1].Precision);
            Assert.Equal(Supported, File.ReadAllText(Path.Combine(folder, "report.md")).Contains(
                "- mixed_bfloat16 (bf16 convolutions and products on float32 weights): net seed 1", StringComparison.Ordinal));
        }
        finally
        {
            Directory.Delete(folder, true);
        }
    }

    [Fact]
    public void Keras_names_of_the_policies_parse_and_others_are_refused()
    {
        Assert.Equal(Precision.MixedBFloat16, MixedPrecision.Parse("mixed_bfloat16"));
        Assert.Equal(Precision.Float32, MixedPrecision.Parse("float32"));
        var e = Assert.Throws<ArgumentException>(() => MixedPrecision.Parse("mixed_float16"));
        Assert.Equal("Invalid value for argument `precision`. Expected one of: float32, mixed_bfloat16. Received: precision=mixed_float16",
            TestSupport.KerasMessage(e));
    }

    private static Tensor NoPolicy(CnnLab.Models.Sequential model, Tensor x)
    {
        using (MixedPrecision.Use(Precision.Float32))
        {
            return model.forward(x);
        }
    }
}
