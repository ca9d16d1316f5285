"""The tutorials' models, written once for either library (``lib`` is tensorkit or torch).

These are the exact architectures of lessons 06 to 11, so the accuracies the benchmarks
measure are the ones a learner gets by running a lesson in full mode.
"""

from __future__ import annotations

MNIST_MODELS = ("mlp", "cnn", "cnn-improved", "inception", "resnet")


def build(lib, name: str):
    """A fresh model ``name`` built with ``lib.nn`` (initialised by ``lib``'s own RNG)."""
    builders = {"mlp": _mlp, "cnn": _cnn, "cnn-improved": _cnn_improved,
                "inception": _inception, "resnet": _resnet, "gru": _gru}
    return builders[name](lib.nn, lib.nn.functional, lib)


def _mlp(nn, F, lib):
    class MLP(nn.Module):
        """Lesson 06: 784-520-320-240-120-10 with ReLU."""

        def __init__(self):
            super().__init__()
            self.l1, self.l2 = nn.Linear(784, 520), nn.Linear(520, 320)
            self.l3, self.l4 = nn.Linear(320, 240), nn.Linear(240, 120)
            self.l5 = nn.Linear(120, 10)

        def forward(self, x):
            x = x.view(-1, 784)
            for layer in (self.l1, self.l2, self.l3, self.l4):
                x = F.relu(layer(x))
            return self.l5(x)

    return MLP()


def _cnn(nn, F, lib):
    class CNN(nn.Module):
        """Lesson 07, the seed CNN: conv 1->10, pool, conv 10->20, pool, fc 320->10."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(10, 20, kernel_size=5)
            self.pooling = nn.MaxPool2d(2)
            self.fc = nn.Linear(320, 10)

        def forward(self, x):
            x = F.relu(self.pooling(self.conv1(x)))
            x = F.relu(self.pooling(self.conv2(x)))
            return self.fc(x.view(x.size(0), -1))

    return CNN()


def _cnn_improved(nn, F, lib):
    class ImprovedCNN(nn.Module):
        """Lesson 07, improved: three conv+ReLU+pool stages (28->14->7->3), two fc layers."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
            self.conv2 = nn.Conv2d(16, 32, 5, padding=2)
            self.conv3 = nn.Conv2d(32, 64, 3, padding=1)
            self.pool = nn.MaxPool2d(2)
            self.fc1 = nn.Linear(576, 128)
            self.dropout = nn.Dropout(0.5)
            self.fc2 = nn.Linear(128, 10)

        def forward(self, x):
            for conv in (self.conv1, self.conv2, self.conv3):
                x = self.pool(F.relu(conv(x)))
            x = self.dropout(F.relu(self.fc1(x.view(x.size(0), -1))))
            return self.fc2(x)

    return ImprovedCNN()


def _inception(nn, F, lib):
    class InceptionA(nn.Module):
        """Four branches (1x1, 5x5, double 3x3, pool) concatenated: 16+24+24+24 = 88 channels."""

        def __init__(self, in_channels):
            super().__init__()
            self.branch1x1 = nn.Conv2d(in_channels, 16, kernel_size=1)
            self.branch5x5_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
            self.branch5x5_2 = nn.Conv2d(16, 24, kernel_size=5, padding=2)
            self.branch3x3_1 = nn.Conv2d(in_channels, 16, kernel_size=1)
            self.branch3x3_2 = nn.Conv2d(16, 24, kernel_size=3, padding=1)
            self.branch3x3_3 = nn.Conv2d(24, 24, kernel_size=3, padding=1)
            self.branch_pool = nn.Conv2d(in_channels, 24, kernel_size=1)

        def forward(self, x):
            b1 = self.branch1x1(x)
            b5 = self.branch5x5_2(self.branch5x5_1(x))
            b3 = self.branch3x3_3(self.branch3x3_2(self.branch3x3_1(x)))
            bp = self.branch_pool(F.avg_pool2d(x, kernel_size=3, stride=1, padding=1))
            return lib.cat([b1, b5, b3, bp], dim=1)

    class Inception(nn.Module):
        """Lesson 08: conv, InceptionA, conv, InceptionA, fc 1408->10."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 10, kernel_size=5)
            self.conv2 = nn.Conv2d(88, 20, kernel_size=5)
            self.incep1 = InceptionA(10)
            self.incep2 = InceptionA(20)
            self.mp = nn.MaxPool2d(2)
            self.fc = nn.Linear(1408, 10)

        def forward(self, x):
            x = self.incep1(F.relu(self.mp(self.conv1(x))))
            x = self.incep2(F.relu(self.mp(self.conv2(x))))
            return self.fc(x.view(x.size(0), -1))

    return Inception()


def _resnet(nn, F, lib):
    class ResidualBlock(nn.Module):
        """Two 3x3 convolutions and a skip connection: relu(x + conv2(relu(conv1(x))))."""

        def __init__(self, channels):
            super().__init__()
            self.conv1 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)
            self.conv2 = nn.Conv2d(channels, channels, kernel_size=3, padding=1)

        def forward(self, x):
            y = self.conv2(F.relu(self.conv1(x)))
            return F.relu(x + y)

    class ResNet(nn.Module):
        """Lesson 09: conv, residual block, conv, residual block, fc 512->10."""

        def __init__(self):
            super().__init__()
            self.conv1 = nn.Conv2d(1, 16, kernel_size=5)
            self.conv2 = nn.Conv2d(16, 32, kernel_size=5)
            self.mp = nn.MaxPool2d(2)
            self.rblock1 = ResidualBlock(16)
            self.rblock2 = ResidualBlock(32)
            self.fc = nn.Linear(512, 10)

        def forward(self, x):
            x = self.rblock1(self.mp(F.relu(self.conv1(x))))
            x = self.rblock2(self.mp(F.relu(self.conv2(x))))
            return self.fc(x.view(x.size(0), -1))

    return ResNet()


def _gru(nn, F, lib):
    class SurnameClassifier(nn.Module):
        """Lesson 11: embedding, 2-layer bidirectional GRU over packed names, fc 200->18."""

        def __init__(self, n_chars=128, hidden=100, n_classes=18, n_layers=2):
            super().__init__()
            self.hidden, self.n_layers = hidden, n_layers
            self.embedding = nn.Embedding(n_chars, hidden)
            self.gru = nn.GRU(hidden, hidden, n_layers, bidirectional=True)
            self.fc = nn.Linear(hidden * 2, n_classes)

        def forward(self, codes, lengths):
            """``codes``: (batch, seq) padded, sorted by ``lengths`` descending."""
            codes = codes.t()
            h0 = lib.zeros(self.n_layers * 2, codes.size(1), self.hidden, device=codes.device)
            packed = nn.utils.rnn.pack_padded_sequence(self.embedding(codes), lengths)
            _, hidden = self.gru(packed, h0)
            return self.fc(lib.cat([hidden[-1], hidden[-2]], dim=1))

    return SurnameClassifier()
