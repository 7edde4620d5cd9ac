# The variants of $FOGLINE_SHARED/models/mobilenetv2-12-int8 (QOperator form: QLinearConv,
# com.microsoft QLinearAdd, ...) that bench/compare_int8.sh measures:
#   QDQ.onnx  - the same network in QDQ form (DequantizeLinear -> Conv/Add/MatMul/GAP ->
#               QuantizeLinear, int8 weights behind DequantizeLinear, int32 bias behind DQ),
#               as ONNX Runtime's quantiser and Fogline's optimiser write it;
#   FP32.onnx - the network dequantised to fp32 (real weights = scale * (q - zero point),
#               activation Q/DQ replaced by the Clip to the quantised range that they
#               imply): the fp32 baseline for ONNX Runtime.
# usage: /usr/bin/python3 bench/int8_variants.py INT8.onnx QDQ.onnx FP32.onnx  (needs python3-onnx)
import sys, onnx, numpy as np
from onnx import helper, numpy_helper as nh, TensorProto
src, qdq_out, fp32_out = sys.argv[1:4]
m = onnx.load(src)
inits = {i.name: nh.to_array(i) for i in m.graph.initializer}
def make(fp32):
    nodes, new_inits = [], dict(inits)
    cnt = [0]
    def nm(s):
        cnt[0] += 1; return f"{s}__{cnt[0]}"
    def dq(x, s, z, axis=None):
        if fp32 and x in inits:  # constant: fold
            arr = inits[x].astype(np.float64); sc = inits[s]; zp = inits[z] if z else 0
            if axis is not None and np.ndim(sc) == 1 and sc.size > 1:
                shp = [1]*arr.ndim; shp[axis] = -1
                sc = sc.reshape(shp); zp = np.asarray(zp).reshape(shp) if np.ndim(zp) else zp
            name = nm(x + "_f"); new_inits[name] = ((arr - zp) * sc).astype(np.float32); return name
        if fp32: return x  # activation: stays float (name maps below)
        out = nm(x + "_dq"); kw = {} if axis is None else {"axis": axis}
        nodes.append(helper.make_node("DequantizeLinear", [x, s] + ([z] if z else []), [out], **kw)); return out
    def q(xf, s, z, out):
        if fp32:
            # The quantised output saturates to [scale * (qmin - zp), scale * (qmax - zp)]; the
            # network relies on that (its ReLU6s are folded into it), so fp32 keeps it as a Clip.
            zp = inits[z]; info = np.iinfo(zp.dtype); sc = float(inits[s])
            lo, hi = nm(out + "_lo"), nm(out + "_hi")
            new_inits[lo] = np.array(sc * (info.min - int(zp)), dtype=np.float32)
            new_inits[hi] = np.array(sc * (info.max - int(zp)), dtype=np.float32)
            nodes.append(helper.make_node("Clip", [xf, lo, hi], [out])); return
        nodes.append(helper.make_node("QuantizeLinear", [xf, s, z], [out]))
    for n in m.graph.node:
        a = {x.name: helper.get_attribute_value(x) for x in n.attribute}
        i = list(n.input)
        if n.op_type == "QLinearConv":
            xf = dq(i[0], i[1], i[2]); wf = dq(i[3], i[4], i[5], axis=0)
            ins = [xf, wf]
            if len(i) > 8 and i[8]:
                bname = nm(i[8] + "_s"); new_inits[bname] = (inits[i[1]] * inits[i[4]]).astype(np.float32)
                if fp32:
                    bf = nm(i[8] + "_f"); new_inits[bf] = (inits[i[8]].astype(np.float64) * new_inits[bname]).astype(np.float32); ins.append(bf)
                else:
                    bo = nm(i[8] + "_dq"); nodes.append(helper.make_node("DequantizeLinear", [i[8], bname], [bo], axis=0)); ins.append(bo)
            yf = nm(n.output[0] + "_f")
            nodes.append(helper.make_node("Conv", ins, [yf], name=n.name, **a)); q(yf, i[6], i[7], n.output[0])
        elif n.op_type == "QLinearAdd":
            af = dq(i[0], i[1], i[2]); bf = dq(i[3], i[4], i[5]); yf = nm(n.output[0] + "_f")
            nodes.append(helper.make_node("Add", [af, bf], [yf])); q(yf, i[6], i[7], n.output[0])
        elif n.op_type == "QLinearGlobalAveragePool":
            xf = dq(i[0], i[1], i[2]); yf = nm(n.output[0] + "_f")
            nodes.append(helper.make_node("GlobalAveragePool", [xf], [yf])); q(yf, i[3], i[4], n.output[0])
        elif n.op_type == "QLinearMatMul":
            af = dq(i[0], i[1], i[2]); bf = dq(i[3], i[4], i[5], axis=1); yf = nm(n.output[0] + "_f")
            nodes.append(helper.make_node("MatMul", [af, bf], [yf])); q(yf, i[6], i[7], n.output[0])
        elif n.op_type == "QuantizeLinear" and fp32:
            nodes.append(helper.make_node("Identity", [i[0]], list(n.output)))
        elif n.op_type == "DequantizeLinear" and fp32 and i[0] not in inits:
            nodes.append(helper.make_node("Identity", [i[0]], list(n.output)))
        elif n.op_type == "Unsqueeze" and "axes" in a:  # opset 13: axes is an input
            ax = nm("axes"); new_inits[ax] = np.array(a["axes"], dtype=np.int64)
            nodes.append(helper.make_node("Unsqueeze", [i[0], ax], list(n.output)))
        else:
            nodes.append(n)
    g = helper.make_graph(nodes, m.graph.name, m.graph.input, m.graph.output,
                          [nh.from_array(v, k) for k, v in new_inits.items()])
    out = helper.make_model(g, opset_imports=[helper.make_opsetid("", 13)], producer_name="fogline-int8-bench")
    out.ir_version = 7
    return out
qm = make(False); onnx.checker.check_model(qm); onnx.save(qm, qdq_out)
fm = make(True)
# Drop the Identity nodes the fp32 form leaves where Q/DQ were: rename their outputs.
ren = {}
keep = []
outs = {o.name for o in fm.graph.output}
for n in fm.graph.node:
    n.input[:] = [ren.get(x, x) for x in n.input]
    if n.op_type == "Identity" and n.output[0] not in outs:
        ren[n.output[0]] = n.input[0]
    else:
        keep.append(n)
del fm.graph.node[:]
fm.graph.node.extend(keep)
onnx.checker.check_model(fm)
fm = onnx.shape_inference.infer_shapes(fm); onnx.save(fm, fp32_out)
print("ok")
