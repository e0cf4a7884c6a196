"""add_graph: a TensorBoard GraphDef of a model, read off its autograd graph.

PyTorch traces the model with TorchScript (``torch.jit.trace``) and writes the traced
graph: every aten op with its constants (``prim::Constant``, ``prim::ListConstruct``)
and a ``prim::GetAttr`` node for each parameter read. numtorch has no tracer, so it
builds the graph from what a forward pass leaves behind:

1. run the model once on ``input_to_model`` (in eval mode, with grad on, float inputs
   made to require grad so every op on them is recorded), with a forward pre-hook and
   a forward hook on every submodule;
2. walk the autograd graph back from the outputs: each ``grad_fn`` node is one op,
   named after PyTorch's node class (``ConvolutionBackward0`` -> ``aten::convolution``);
   each leaf is a parameter (op ``Parameter``) or a model input (op ``IO Node``);
3. give each op the scope of the innermost module call that made it: the nodes
   reachable from a call's outputs without passing its inputs. Scopes are named as
   PyTorch names them, ``Net/Sequential[fc]/Linear[0]``, so TensorBoard groups the
   graph by module the same way.

Differences from PyTorch's graph: only ops that autograd records appear (ops on
tensors that need no gradient, integer ops and constants do not; a model whose output
does not depend on a float input or a parameter has an empty graph); op and node
names follow the autograd node (``Net/Conv2d[conv1]/convolution``) rather than
TorchScript's value names (``Net/Conv2d[conv1]/input.1``); parameters are nodes of
their own (``Net/Conv2d[conv1]/weight``) instead of ``prim::GetAttr`` reads.
"""

from __future__ import annotations

import inspect
import re

from tensorboard.compat.proto.attr_value_pb2 import AttrValue
from tensorboard.compat.proto.config_pb2 import RunMetadata
from tensorboard.compat.proto.graph_pb2 import GraphDef
from tensorboard.compat.proto.node_def_pb2 import NodeDef
from tensorboard.compat.proto.step_stats_pb2 import DeviceStepStats, StepStats
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.compat.proto.versions_pb2 import VersionDef


def _op_name(node) -> str:
    """'MaxPool2DWithIndicesBackward0' -> 'max_pool2d_with_indices'."""
    name = re.sub(r"Backward\d*$", "", node.name())
    name = re.sub(r"(?<=[a-z0-9])(?=[A-Z][a-z])|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])",
                  "_", name)
    return name.lower()


def _tensors(value) -> list:
    """The tensors in a model's output: a tensor, or (nested) tuples, lists and dicts."""
    from numtorch import Tensor

    found, todo = [], [value]
    while todo:
        v = todo.pop()
        if isinstance(v, Tensor):
            found.append(v)
        elif isinstance(v, (tuple, list)):
            todo.extend(reversed(v))
        elif isinstance(v, dict):
            todo.extend(reversed(list(v.values())))
    return found


def _node_def(name, op, inputs=(), shapes=(), attr=None) -> NodeDef:
    attrs = {}
    if attr is not None:
        attrs["attr"] = AttrValue(s=attr.encode("utf_8"))
    if shapes:
        protos = [TensorShapeProto(dim=[TensorShapeProto.Dim(size=d) for d in s]) for s in shapes]
        attrs["_output_shapes"] = AttrValue(list=AttrValue.ListValue(shape=protos))
    return NodeDef(name=name, op=op, input=list(inputs), attr=attrs)


def _run_with_hooks(model, inputs, scope_of):
    """Call the model once; return its output and, innermost call first, each module
    call's (scope, ids of its input nodes, its output nodes)."""
    import numtorch

    calls, pending = [], []

    def grad_fns(value):
        return [t.grad_fn for t in _tensors(value) if t.grad_fn is not None]

    def before(module, args):
        pending.append({id(fn) for fn in grad_fns(args)})

    def after(module, args, output):
        calls.append((scope_of[id(module)], pending.pop(), grad_fns(output)))

    handles = []
    for module in model.modules():
        handles.append(module.register_forward_pre_hook(before))
        handles.append(module.register_forward_hook(after))
    was_training = model.training
    model.train(False)
    try:
        with numtorch.enable_grad():
            output = model(*inputs)
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return output, calls


def graph(model, args, verbose=False):
    """The (GraphDef, RunMetadata) pair ``FileWriter.add_graph`` writes; see the module
    docstring for how the graph is found."""
    from numtorch import Tensor
    from numtorch.autograd.function import AccumulateGrad

    if args is None:
        args = ()
    elif not isinstance(args, (tuple, list)):
        args = (args,)
    inputs = [a.detach().requires_grad_(True)
              if isinstance(a, Tensor) and a.is_floating_point() else a for a in args]

    root = type(model).__name__
    scope_of, param_names = {}, {}
    for path, module in model.named_modules():
        scope = root
        if path:
            owner = model
            for part in path.split("."):
                owner = getattr(owner, part)
                scope += f"/{type(owner).__name__}[{part}]"
        scope_of.setdefault(id(module), scope)
        for pname, p in module.named_parameters(recurse=False):
            param_names.setdefault(id(p), f"{scope}/{pname}")

    output, calls = _run_with_hooks(model, inputs, scope_of)
    outputs = _tensors(output)

    # Scopes: innermost calls come first, so a node keeps the deepest module that made it.
    node_scope = {}
    for scope, stop, outs in calls:
        seen, todo = set(), list(outs)
        while todo:
            fn = todo.pop()
            if id(fn) in seen or id(fn) in stop or isinstance(fn, AccumulateGrad):
                continue
            seen.add(id(fn))
            node_scope.setdefault(id(fn), scope)
            todo.extend(nxt for nxt, _ in fn.next_functions if nxt is not None)

    # Every node reachable from the outputs, each after its inputs (iterative DFS).
    order, state = [], {}
    todo = [(t.grad_fn, False) for t in reversed(outputs) if t.grad_fn is not None]
    while todo:
        fn, inputs_done = todo.pop()
        if inputs_done:
            order.append(fn)
            continue
        if id(fn) in state:
            continue
        state[id(fn)] = fn
        todo.append((fn, True))
        todo.extend((nxt, False) for nxt, _ in reversed(fn.next_functions)
                    if nxt is not None and id(nxt) not in state)

    try:
        arg_names = list(inspect.signature(model.forward).parameters)
    except (TypeError, ValueError):
        arg_names = []
    input_names = {}
    nodes = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor):
            name = f"input/{arg_names[i] if i < len(arg_names) else f'input.{i + 1}'}"
            input_names[id(x)] = name
            nodes.append(_node_def(name, "IO Node", shapes=[x.shape]))

    names, taken = {}, set()

    def unique(name):
        k, candidate = 0, name
        while candidate in taken:
            k += 1
            candidate = f"{name}_{k}"
        taken.add(candidate)
        return candidate

    for fn in order:
        if isinstance(fn, AccumulateGrad):
            v = fn.variable
            if id(v) in input_names:
                names[id(fn)] = input_names[id(v)]
                continue
            if id(v) in param_names:
                name, op = unique(param_names[id(v)]), "Parameter"
            else:
                name, op = unique(f"{root}/tensor"), "Tensor"
            names[id(fn)] = name
            nodes.append(_node_def(name, op, shapes=[v.shape]))
            continue
        name = unique(f"{node_scope.get(id(fn), root)}/{_op_name(fn)}")
        names[id(fn)] = name
        edges = [names[id(nxt)] + (f":{nr}" if nr else "")
                 for nxt, nr in fn.next_functions if nxt is not None]
        shapes = [m[0] for m in fn._output_meta if m is not None]
        nodes.append(_node_def(name, f"aten::{_op_name(fn)}", edges, shapes,
                               attr=f"{{ grad_fn : {fn.name()} }}"))

    for i, t in enumerate(outputs):
        fn = t.grad_fn
        source = [] if fn is None else [names[id(fn)] + (f":{t.output_nr}" if t.output_nr else "")]
        nodes.append(_node_def(f"output/output.{i + 1}", "IO Node", source, [t.shape]))

    if verbose:
        for n in nodes:
            print(f"{n.name} = {n.op}({', '.join(n.input)})")
    run_metadata = RunMetadata(
        step_stats=StepStats(dev_stats=[DeviceStepStats(device="/device:CPU:0")]))
    return GraphDef(node=nodes, versions=VersionDef(producer=22)), run_metadata


def onnx_graph(fname):
    """The GraphDef of an ONNX model file (needs the ``onnx`` package): its inputs and
    outputs as ``Variable`` nodes, then one node per ONNX op, named by its first output."""
    import onnx

    return onnx_to_graph_def(onnx.load(fname).graph)


def onnx_to_graph_def(graph) -> GraphDef:
    nodes = []
    for value in list(graph.input) + list(graph.output):
        tensor_type = value.type.tensor_type
        shape = TensorShapeProto(dim=[TensorShapeProto.Dim(size=d.dim_value)
                                      for d in tensor_type.shape.dim])
        nodes.append(NodeDef(name=value.name, op="Variable", input=[],
                             attr={"dtype": AttrValue(type=tensor_type.elem_type),
                                   "shape": AttrValue(shape=shape)}))
    for op in graph.node:
        params = ", ".join(" = ".join(str(v) for _, v in a.ListFields()) for a in op.attribute)
        nodes.append(NodeDef(name=op.output[0], op=op.op_type, input=op.input,
                             attr={"parameters": AttrValue(s=params.encode("utf_8"))}))
    return GraphDef(node=nodes, versions=VersionDef(producer=22))
