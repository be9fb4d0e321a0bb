; obs harvest tags for Python.
; Captures: @name on the identifier; @definition.<kind> on the defining node
; (its span bounds the symbol, its body is elided in signatures);
; @reference.<kind> on the referencing node. Methods are functions whose
; nearest enclosing definition is a class (decided in code, not here).

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
  function: (identifier) @name) @reference.call
(call
  function: (attribute
    attribute: (identifier) @name)) @reference.call

; base classes
(class_definition
  superclasses: (argument_list
    [(identifier) @name
     (attribute attribute: (identifier) @name)])) @reference.class

; annotations: x: Foo, -> Foo, list[Foo]
(type (identifier) @name) @reference.type
(generic_type (identifier) @name) @reference.type

; decorators without call: @cached
(decorator (identifier) @name) @reference.call

; from m import Name [as Alias]
(import_from_statement
  name: (dotted_name (identifier) @name .)) @reference.import
(import_from_statement
  name: (aliased_import
    name: (dotted_name (identifier) @name .))) @reference.import
