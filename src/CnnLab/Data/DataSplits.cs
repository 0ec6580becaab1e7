using CnnLab.Core;
using CnnLab.Layers;

namespace CnnLab.Data;

/// <summary>A dataset's training and test splits, as <c>keras.datasets.X.load_data()</c> returns them, with where they came from.</summary>
public sealed record DataSplits(string Name, Dataset Train, Dataset Test, string Source) : IDisposable
{
    /// <summary>
    /// What <see cref="DatasetSource.Open"/> takes to open these splits again: a known dataset's name, or the full path of a
    /// folder or CSV file; null when the splits were made otherwise. Saved with a trained model as the data it was trained on.
    /// </summary>
    public string? Spec { get; init; }

    /// <summary>The order of the training split of a folder or CSV file (shuffled with a seed,
    /// or file order); null for a known dataset, which keeps its publisher's order.</summary>
    public DataShuffle? Shuffle { get; init; }

    /// <summary>Class names, indexed by label.</summary>
    public IReadOnlyList<string> ClassNames => Train.ClassNames;

    /// <summary>The model input shape (height, width, channels) the images need.</summary>
    public Shape InputShape => Train.InputShape;

    /// <summary>(train, test), as Keras' <c>(x_train, y_train), (x_test, y_test)</c> pair.</summary>
    public void Deconstruct(out Dataset train, out Dataset test)
    {
        train = Train;
        test = Test;
    }

    /// <summary>The standardisation <see cref="Standardize"/> applied, or null when the images are only scaled to [0, 1].</summary>
    public Standardization? Standardization { get; private set; }

    /// <summary>Standardises both splits in place with the training split's per-channel mean and std.</summary>
    public Standardization Standardize()
    {
        if (Standardization is not null)
        {
            throw new InvalidOperationException($"{Name} is already standardised; standardising twice would distort the images.");
        }
        Standardization = Standardization.Fit(Train);
        Standardization.Apply(Train);
        Standardization.Apply(Test);
        return Standardization;
    }

    /// <summary>Disposes both splits.</summary>
    public void Dispose()
    {
        Train.Dispose();
        Test.Dispose();
    }
}
