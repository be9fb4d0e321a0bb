; obs harvest tags for Python.
; Captures: @definition.<kind> on the defining node (its span bounds the
; symbol, its body is elided in signatures) with @name on its identifier, which
; must be the first @name inside the node; @reference.<kind> on the referenced
; identifier itself (read with one captures() pass, no per-match objects).
; Methods are functions whose nearest enclosing definition is a class (decided
; in code, not here).

(class_definition
  name: (identifier) @name) @definition.class

(function_definition
  name: (identifier) @name) @definition.function

(module
  (expression_statement
    (assignment
      left: (identifier) @name) @definition.constant))

; calls: f(...) and obj.f(...)
(call
  function: (identifier) @reference.call)
(call
  function: (attribute
    attribute: (identifier) @reference.call))

; base classes
(class_definition
  superclasses: (argument_list
    [(identifier) @reference.class
     (attribute attribute: (identifier) @reference.class)]))

; annotations: x: Foo, -> Foo, list[Foo]
(type (identifier) @reference.type)
(generic_type (identifier) @reference.type)

; decorators without call: @cached
(decorator (identifier) @reference.call)

; from m import Name [as Alias]
(import_from_statement
  name: (dotted_name (identifier) @reference.import .))
(import_from_statement
  name: (aliased_import
    name: (dotted_name (identifier) @reference.import .)))
