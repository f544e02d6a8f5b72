/* Shared definitions of the lossykws C runtime.
 *
 * Conventions every kernel follows (CMSIS-NN-like):
 * - Names: lkws_<op>[_<variant>]_<dtype>, in firmware/src/lkws_<op>[_<variant>][_<dtype>].c, one
 *   kernel per file; an optimized kernel is a `_opt` variant beside its `_ref` twin. The dtype
 *   suffix names the element type: _f32 (float32), _s8 (int8), _bitpacked (LCE's packed signs,
 *   int32 words), _bytes (any element type, copied as bytes); a conversion names both, source
 *   first (_f32_s8). Binary (LCE) kernels read bitpacked input and are named by their output.
 * - One header per op family under include/lkws/, declaring the f32 and s8 kernels of that family
 *   with their tensor layouts and value ranges.
 * - Tensors are dense, row-major, channels last: activations [N, H, W, C]; conv filters
 *   [C_OUT, KH, KW, C_IN]; depthwise filters [1, KH, KW, C_IN * depth_multiplier]; fully connected
 *   weights [OUT, DEPTH]. Rank < 4 tensors are given as [1, ..., 1, dims].
 * - Every kernel returns lkws_status_t: LKWS_OK, or LKWS_ARG_ERROR for arguments it refuses
 *   (nothing is written then). Generated code checks it.
 * - The caller owns all memory: no kernel allocates, keeps state or touches mutable globals.
 *   A kernel that needs scratch takes it as a parameter, sized by the *_SCRATCH_BYTES macro of its
 *   header (the one definition of that size: the code generator reads it from there too).
 *   Inputs and outputs must not overlap unless a function says so.
 * - C99. Float kernels are bit-exact only when built with -ffp-contract=off (no fused multiply-add
 *   where the code writes a product and a sum) and never with -ffast-math.
 *
 * Header convention: an include guard LKWS_<NAME>_H, declarations inside LKWS_BEGIN_DECLS /
 * LKWS_END_DECLS (extern "C" for C++ callers). */
#ifndef LKWS_COMMON_H
#define LKWS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
#define LKWS_BEGIN_DECLS extern "C" {
#define LKWS_END_DECLS }
#else
#define LKWS_BEGIN_DECLS
#define LKWS_END_DECLS
#endif

LKWS_BEGIN_DECLS

#if defined(__GNUC__) || defined(__clang__)
#define LKWS_ALIGN16 __attribute__((aligned(16)))
#else
#define LKWS_ALIGN16
#endif

#define LKWS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define LKWS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* What every kernel returns. */
typedef enum {
    LKWS_OK = 0,
    LKWS_ARG_ERROR = -1 /* a shape, stride or parameter the kernel cannot take; nothing written */
} lkws_status_t;

/* A 4-D shape [n, h, w, c] (the int8 kernels' shape argument). */
typedef struct {
    int32_t n, h, w, c;
} lkws_s8_shape;

/* Geometry of a float32 convolution or pooling window over [batches, in_h, in_w, in_c] ->
 * [batches, out_h, out_w, out_c]. pad_top/pad_left: TFLite's padding (SAME: floor of the total
 * padding / 2, VALID: 0). Fused activation as a clamp [act_min, act_max] (+-INFINITY for none). */
typedef struct {
    int32_t batches;
    int32_t in_h, in_w, in_c;
    int32_t out_h, out_w, out_c;
    int32_t filter_h, filter_w;
    int32_t stride_h, stride_w;
    int32_t dilation_h, dilation_w;
    int32_t pad_top, pad_left;
    int32_t depth_multiplier; /* depthwise only */
    float act_min, act_max;
} lkws_window_params;

/* The checks every float window kernel shares: positive filter, strides and dilations, a clamp range
 * that is not empty. */
static inline int lkws_window_ok(const lkws_window_params *p)
{
    return p->filter_h >= 1 && p->filter_w >= 1 && p->stride_h >= 1 && p->stride_w >= 1 && p->dilation_h >= 1 &&
           p->dilation_w >= 1 && !(p->act_min > p->act_max);
}

LKWS_END_DECLS

#endif /* LKWS_COMMON_H */
