"""LCE flatbuffers to C: reader (reader.py) -> graph IR (ir.py) -> arena plan (planner.py) ->
one emitter per op (ops/) -> project files (project.py). Never imports TensorFlow or Larq.

The generated model API (model.h), shared by every target:

    #define MODEL_ARENA_BYTES n     one arena, planned by lifetime; caller-owned, 16-byte aligned
    #define MODEL_CONST_BYTES n     bytes of constant arrays (weights stay bitpacked)
    #define MODEL_NUM_INPUTS / MODEL_NUM_OUTPUTS
    #define MODEL_NUM_TENSORS       tensors in the .tflite (every tensor_index is below it)
    #define MODEL_NUM_OPS           ops in the schedule (after fusion; op_index keeps .tflite numbering)
    typedef void (*model_observer)(void *user, int op_index, int tensor_index,
                                   const void *data, size_t bytes);
    void *model_input(uint8_t *arena, int i);          size_t model_input_bytes(int i);
    const void *model_output(const uint8_t *arena, int i);  size_t model_output_bytes(int i);
    int model_invoke(uint8_t *arena, model_observer observe, void *user);
        observe may be NULL; it is called after each op with each of the op's output tensors
        (op_index and tensor_index as in the .tflite); returns 0, or 1 + the failing op's index.
        Write the inputs before every call (the plan reuses an input's bytes after its last
        reader); outputs stay valid until the next call.

model_settings.h: MODEL_INPUT_<i>_{RANK,DIMS,TYPE_<DTYPE>,CTYPE,ELEMENTS[,SCALE,ZERO_POINT]}, the same
for MODEL_OUTPUT_<i>, MODEL_NUM_LABELS and MODEL_LABELS. model_data.c/.h: every constant as an
aligned const array. Every generated file is stamped with the model's sha256 and the generator
version. lossykws.json (the manifest) lists inputs, outputs and each op's output tensors with
their arena offsets; the original model is kept as model.tflite.

Library entry point: `project.export_project(model_path, out_dir, target, force, labels,
packed_input)`.
"""
