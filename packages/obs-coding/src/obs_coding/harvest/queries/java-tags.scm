; obs harvest tags for Java. Same capture scheme as python-tags.scm.

(class_declaration
  name: (identifier) @name) @definition.class
(record_declaration
  name: (identifier) @name) @definition.class
(interface_declaration
  name: (identifier) @name) @definition.interface
(enum_declaration
  name: (identifier) @name) @definition.enum
(annotation_type_declaration
  name: (identifier) @name) @definition.interface
(method_declaration
  name: (identifier) @name) @definition.method
(constructor_declaration
  name: (identifier) @name) @definition.method

(method_invocation
  name: (identifier) @reference.call)
(object_creation_expression
  type: (type_identifier) @reference.class)
(type_identifier) @reference.type
(import_declaration
  (scoped_identifier
    name: (identifier) @reference.import))
