"""Recurrent layers: RNN (any cell), SimpleRNN, LSTM, GRU and their cells,
Bidirectional and TimeDistributed wrappers. LSTM, GRU and SimpleRNN run a whole
sequence as one fused op (`baro.ops.recurrent`)."""
